// Elasticsearch's async search answers as text, fields in Elasticsearch 8's order; the
// stored response is spliced in as it is, never parsed again.
#pragma once

#include <orrery/async_search/async_search.hpp>
#include <string>

namespace orrery::async_search {

// Submit and get: id (when stored), is_partial, is_running, start_time_in_millis,
// expiration_time_in_millis, completion_time_in_millis (once finished), response, error.
std::string asyncSearchBody(const AsyncSearchResult& result);

// Status: id, is_running, is_partial, the times, _shards, completion_status (once finished).
std::string statusBody(const AsyncSearchResult& result);

// An Elasticsearch error body for a thrown AsyncSearchError.
std::string errorBody(const AsyncSearchError& error);

}  // namespace orrery::async_search
