// A remote cluster's async search answers, read as Orrery's: when a search is delegated
// to the cluster's own _async_search, its answers come back with the cluster's id, which
// Orrery replaces by its own (the cluster's id never reaches the client, so Orrery's owner
// check cannot be bypassed by asking the cluster directly through Orrery).
#pragma once

#include <optional>
#include <orrery/async_search/async_search.hpp>
#include <string>

namespace orrery::async_search {

// The async search answer (submit, get or status) in `body` with HTTP `status`, its id
// replaced by `ownId` (or dropped). An Elasticsearch error body is thrown as
// AsyncSearchError (404 as Orrery's not-found for `ownId`); a body that is neither is a
// 502 naming what the cluster sent.
AsyncSearchResult resultFromCluster(int status, const std::string& body, const std::optional<std::string>& ownId);

// The cluster's id in a submit's answer, when it stored the search.
std::optional<std::string> clusterSearchId(const std::string& body);

// Whether an answer says the cluster has no _async_search (OpenSearch; a cluster without
// the feature): Elasticsearch's "no handler found" 400, a 405, or a 404 without an error type.
bool lacksAsyncSearch(int status, const std::string& body);

}  // namespace orrery::async_search
