// typed_keys on get: Elasticsearch renders a stored async response with or without
// `type#name` aggregation keys as each get asks. Orrery has the strategy always render
// them typed (the type cannot be recovered from an untyped response) and strips the
// prefixes for the answers that did not ask for them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace orrery::async_search {

// `response` (a search response, JSON text) with `type#` taken off the names of its
// aggregations at every level (sub-aggregations in buckets too) and of its suggesters.
// A response without aggregations or suggestions is returned as it is, unparsed.
std::string withoutTypedKeys(const std::string& response);

// `parameters` with typed_keys=true in place of any typed_keys the client gave: what the
// strategy (or a remote cluster) is asked for.
std::vector<std::pair<std::string, std::string>> withTypedKeys(std::vector<std::pair<std::string, std::string>> parameters);

// Whether URL parameters ask for typed keys (`typed_keys`, `typed_keys=true`).
bool typedKeysAsked(const std::vector<std::pair<std::string, std::string>>& parameters);

}  // namespace orrery::async_search
