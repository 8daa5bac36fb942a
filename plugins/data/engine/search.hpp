// Executing a search: each shard runs the compiled query (hits sorted and limited in SQL,
// totals counted up to track_total_hits, aggregation partials), then the shards' results
// are reduced into one Elasticsearch response — merged sort, summed totals, reduced
// aggregations. Reducing any subset of shards gives the partial response reported while
// a search runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregations.hpp"
#include "index.hpp"
#include "search_request.hpp"

namespace orrery::data {

struct ShardHit {
  std::string index;
  int shard = 0;
  std::int64_t seq = 0;
  std::string id;
  double score = 0;
  std::vector<SqlValue> sortValues;
  std::string source;
};

struct ShardResult {
  std::string index;
  int shard = 0;
  std::vector<ShardHit> hits;
  std::int64_t total = 0;
  bool totalIsLowerBound = false;
  AggPartials aggs;
  std::optional<nlohmann::json> failure;  // the shard's error, when it failed
  // The request's timeout passed: the shard stopped and these are its results so far.
  bool timedOut = false;
};

// One shard's part of a search. Throws EngineError for request errors (bad field type,
// from + size past the index's max_result_window). `cancelled` is polled while statements
// run (SQLite's progress handler); a cancelled search throws EngineError
// task_cancelled_exception. When the request's timeout passes, the running statement is
// stopped the same way and the shard answers what it had (timedOut).
ShardResult searchShard(Index& index, Shard& shard, const SearchRequest& request, std::int64_t nowMillis,
                        const std::atomic<bool>* cancelled = nullptr);

struct ShardCounts {
  int total = 0;
  int successful = 0;
  int skipped = 0;
  int failed = 0;
};

// The response for the shards' results so far.
nlohmann::json reduceResults(const SearchRequest& request, const std::vector<ShardResult>& results,
                             const ShardCounts& counts, bool typedKeys, std::int64_t tookMillis);

// Convenience: runs every shard of `indices` in turn and reduces (used by tests and
// _count); the search service runs shards concurrently instead.
nlohmann::json searchIndices(const std::vector<std::shared_ptr<Index>>& indices, const SearchRequest& request,
                             bool typedKeys = false);
std::int64_t countIndices(const std::vector<std::shared_ptr<Index>>& indices, const Query& query);

std::int64_t currentMillis();

}  // namespace orrery::data
