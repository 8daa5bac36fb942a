// The async_search plugin's contract: searches that outlive the request that started them.
//
// From start on, a plugin that requires `async_search` submits a search, and later gets
// its partial or final result, its status, extends its lifetime or deletes it, always as
// the calling user (only the user who submitted may see a search):
//
//   auto async = ctx.plugin<async_search::AsyncSearchStart>("async_search");
//   auto first = co_await async->submit({.index = "logs-*", .body = R"({"query":...})"}, caller);
//   if (first.id) auto later = co_await async->get(*first.id, {.waitForCompletion = 100ms}, caller);
//
// Any search strategy registered with the data plugin runs under it. Failures that
// Elasticsearch answers with an error (unknown id, validation, too many running searches)
// are thrown as AsyncSearchError carrying Elasticsearch's status, type and reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <orrery/cancellation.hpp>
#include <orrery/task.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::async_search {

// Who is asking: the authenticated user of the request (orrery::http::User's fields).
struct Caller {
  std::string username{};
  // "basic", "api_key" or "anonymous" (security disabled: anyone may access anything).
  std::string authenticationType{};
  std::string apiKeyId{};
  std::vector<std::string> roles{};
};

struct SubmitRequest {
  // Comma-separated index expression; empty is every index.
  std::string index{};
  // The search body (Query DSL), empty for none.
  std::string body{};
  // Search parameters, as the plain _search route takes them in its URL (q, size, ...).
  std::vector<std::pair<std::string, std::string>> parameters{};
  // A search strategy registered with the data plugin; empty: the default one.
  std::string strategy{};
  std::chrono::milliseconds waitForCompletion = std::chrono::seconds(1);
  bool keepOnCompletion = false;
  // nullopt: the configured default (async_search.defaultKeepAlive).
  std::optional<std::chrono::milliseconds> keepAlive{};
  // A partial result is reduced after every this many shards.
  int batchedReduceSize = 5;
  // Kibana's search session the search belongs to (recorded, not interpreted).
  std::string sessionId{};
  // Cancelled when whoever submitted goes away before the submit's answer (an HTTP
  // route passes HttpService::clientGone): the search is cancelled then, as
  // Elasticsearch cancels it. Once answered, the search belongs to its id.
  CancellationToken clientGone{};
};

struct GetOptions {
  // How long to wait for the search to finish before answering; zero answers at once.
  std::chrono::milliseconds waitForCompletion{0};
  // Moves the expiry to now + keepAlive (persisted before the answer).
  std::optional<std::chrono::milliseconds> keepAlive{};
};

struct ShardCounts {
  int total = 0;
  int successful = 0;
  int skipped = 0;
  int failed = 0;
};

// One answer about a search, as Elasticsearch's async search response carries it.
struct AsyncSearchResult {
  // Set when the search is stored (still running after the wait, or kept).
  std::optional<std::string> id{};
  bool isPartial = false;
  bool isRunning = false;
  std::int64_t startTimeMillis = 0;
  std::int64_t expirationTimeMillis = 0;
  std::optional<std::int64_t> completionTimeMillis{};
  // The search response so far (JSON object text), when there is one. Its aggregations'
  // and suggesters' names are always typed (`type#name`, Elasticsearch's typed_keys), so
  // that either form can be rendered from it; the /es routes strip the types unless the
  // request asked for typed_keys.
  std::optional<std::string> response{};
  // The failure (Elasticsearch error object text), when the search failed.
  std::optional<std::string> error{};
  // The HTTP status Elasticsearch would answer with: 200 while running; the failure's
  // status once it failed; the response's once it finished.
  int status = 200;
  ShardCounts shards{};
};

class AsyncSearchError : public std::runtime_error {
 public:
  AsyncSearchError(int status, std::string type, const std::string& reason)
      : std::runtime_error(reason), status_(status), type_(std::move(type)) {}
  int status() const noexcept { return status_; }
  const std::string& type() const noexcept { return type_; }

 private:
  int status_;
  std::string type_;
};

class AsyncSearchStart {
 public:
  static constexpr std::string_view kContractId = "async_search.start@1";
  virtual ~AsyncSearchStart() = default;

  virtual Task<AsyncSearchResult> submit(SubmitRequest request, Caller caller) = 0;
  virtual Task<AsyncSearchResult> get(std::string id, GetOptions options, Caller caller) = 0;
  // The status answer: no response body; superusers may ask about anyone's search.
  virtual Task<AsyncSearchResult> status(std::string id, std::optional<std::chrono::milliseconds> keepAlive,
                                         Caller caller) = 0;
  // get() without waiting, moving the expiry to now + keepAlive.
  virtual Task<AsyncSearchResult> extend(std::string id, std::chrono::milliseconds keepAlive, Caller caller) = 0;
  // Cancels the search if it runs and deletes its result.
  virtual Task<void> remove(std::string id, Caller caller) = 0;
};

}  // namespace orrery::async_search
