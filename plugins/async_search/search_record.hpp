// What Orrery knows about one async search, in memory while it runs and as a document
// of type `async-search` in the host's storage once it is stored (so every host on the
// store can answer for it, and it survives a restart). The response and the error are
// kept as the JSON text the strategy produced, never re-parsed on the way through.
#pragma once

#include <cstdint>
#include <optional>
#include <orrery/async_search/async_search.hpp>
#include <string>
#include <utility>
#include <vector>

#include "owner.hpp"

namespace orrery::async_search {

inline constexpr const char* kDocumentType = "async-search";

enum class SearchState { running, completed, failed, stopped };
const char* stateName(SearchState state);

struct SearchRecord {
  std::string id;
  Owner owner;
  // The request, enough to run it again (resumeOnRestart).
  std::string index;
  std::string strategy;
  std::string body;
  std::vector<std::pair<std::string, std::string>> parameters;
  int batchedReduceSize = 5;
  std::string sessionId;

  std::int64_t startTime = 0;
  std::int64_t expirationTime = 0;
  std::optional<std::int64_t> completionTime;
  SearchState state = SearchState::running;
  bool isPartial = true;
  int status = 200;
  ShardCounts shards;
  std::optional<std::string> response;  // JSON object text
  std::optional<std::string> error;     // Elasticsearch error object text
  // Delegated to a remote cluster's own _async_search: the cluster's id. The cluster
  // keeps the search and its results; this record keeps the owner and the expiry.
  std::optional<std::string> remoteId;

  bool running() const { return state == SearchState::running; }
  // The answer for this record; `withId` says whether the caller may learn the id.
  AsyncSearchResult result(bool withId) const;
};

// The storage document body (a JSON object) for `record`.
std::string documentBody(const SearchRecord& record);
// Throws std::invalid_argument naming what is wrong with a stored body.
SearchRecord recordFromDocument(const std::string& id, const std::string& body);

// An Elasticsearch error object as text: {"root_cause":[{type,reason}],"type","reason"}.
std::string errorObject(const std::string& type, const std::string& reason);

// Replaces a final response larger than `maxBytes` by Elasticsearch's failure to store it.
void limitResponseSize(SearchRecord& record, std::int64_t maxBytes);

}  // namespace orrery::async_search
