// The URL parameters of the Elasticsearch async search routes, parsed and validated as
// Elasticsearch does: submit's own (wait_for_completion_timeout, keep_on_completion,
// keep_alive, batched_reduce_size) apart from the search's (passed to the strategy
// unchanged), with the validation failures collected into one
// `Validation Failed: 1: …;2: …;` error.
#pragma once

#include <chrono>
#include <optional>
#include <orrery/async_search/async_search.hpp>
#include <string>
#include <utility>
#include <vector>

namespace orrery::async_search {

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

struct KeepAliveLimits {
  std::chrono::milliseconds defaultKeepAlive = std::chrono::hours(24 * 5);
  std::chrono::milliseconds maxKeepAlive = std::chrono::hours(24 * 30);
};

// Submit: `body` is read only to refuse a suggest-only search. Throws AsyncSearchError.
SubmitRequest parseSubmitParameters(const QueryParameters& query, const std::string& body, const KeepAliveLimits& limits);
// Get: wait_for_completion_timeout (default: none) and keep_alive.
GetOptions parseGetParameters(const QueryParameters& query, const KeepAliveLimits& limits);
// Status: keep_alive.
std::optional<std::chrono::milliseconds> parseStatusParameters(const QueryParameters& query, const KeepAliveLimits& limits);

// The validation every keep_alive passes (submit, get, status, extend). Throws.
void checkKeepAlive(std::chrono::milliseconds keepAlive, const std::string& text, const KeepAliveLimits& limits);

// Whether a search body has a suggest section and nothing a search would run.
bool suggestOnly(const std::string& body);

}  // namespace orrery::async_search
