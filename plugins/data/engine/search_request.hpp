// A search request body (and the URI parameters that override it), parsed and checked:
// query, from/size (Java ints, as Elasticsearch reads them; the index's max_result_window
// is checked on each shard), sort, _source filtering, track_total_hits, search_after,
// timeout and aggregations (their parameters' types checked and normalised here, so the
// shards read them without a type error). Unknown keys are a parsing_exception naming the
// key; a value of the wrong type a 400 naming the field.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "query.hpp"

namespace orrery::data {

// Elasticsearch's defaults of index.max_result_window, index.max_inner_result_window and
// search.max_buckets.
constexpr std::int64_t kMaxResultWindow = 10'000;
constexpr std::int64_t kMaxInnerResultWindow = 100;
constexpr std::int64_t kDefaultMaxBuckets = 65'536;

struct SortSpec {
  enum class Kind { score, doc, field } kind = Kind::score;
  std::string field;
  bool descending = true;
  // "_last" (default), "_first", or a value used for documents without the field.
  nlohmann::json missing = "_last";
};

struct SourceFilter {
  bool enabled = true;
  std::vector<std::string> includes;
  std::vector<std::string> excludes;
  // The document filtered to includes/excludes (dotted paths, `*` wildcards).
  nlohmann::json apply(const nlohmann::json& source) const;
};

struct AggSpec {
  std::string name;
  std::string type;
  nlohmann::json params;
  std::vector<AggSpec> subs;
  // filters aggregation: the named filters, parsed
  std::vector<std::pair<std::string, Query>> filters;
  bool keyedFilters = true;
};

struct SearchRequest {
  Query query;
  std::int64_t from = 0;
  // A partial reduce (reported as progress, when someone listens) after every this many
  // shards: Elasticsearch's batched_reduce_size (async search sends 5); without it, after
  // each shard, as the data plugin's contract promises its progress listeners.
  int batchedReduceSize = 1;
  std::int64_t size = 10;
  std::vector<SortSpec> sort;  // empty: by score
  SourceFilter source;
  // Count hits exactly up to this many; -1: exactly, always; 0: not at all.
  std::int64_t trackTotalHits = 10'000;
  std::optional<nlohmann::json> searchAfter;
  std::vector<AggSpec> aggs;
  bool trackScores = false;
  std::optional<double> minScore;
  // `timeout`: each shard stops its search this long after it started and answers what it
  // found so far (timed_out: true). Unset: no limit.
  std::optional<std::chrono::nanoseconds> timeout;
  // search.max_buckets: buckets of all aggregations, per shard and in the reduced response.
  std::int64_t maxBuckets = kDefaultMaxBuckets;

  bool needsScores() const;
};

// `body` may be null (no body). Throws EngineError (parsing_exception, illegal_argument_exception,
// also for queries or aggregations nested past `limits`).
SearchRequest parseSearchRequest(const nlohmann::json& body, const DepthLimits& limits = {});
// Applies URI parameters (`q`, `from`, `size`, `sort`, `_source`, `track_total_hits`,
// `default_operator`, `df`, `timeout`, `batched_reduce_size`) over a parsed request.
void applySearchParameters(SearchRequest& request, const std::vector<std::pair<std::string, std::string>>& params,
                           const DepthLimits& limits = {});
// The aggregations object of a request (depth 1) or of a bucket's `aggs` (one deeper).
std::vector<AggSpec> parseAggregations(const nlohmann::json& aggs, const DepthLimits& limits = {}, int depth = 1);
// Elasticsearch's time values ("1ms", "30s", "100nanos", "-1" for none) as `setting` names them.
std::optional<std::chrono::nanoseconds> parseTimeValue(const nlohmann::json& value, const std::string& setting);
// The error of a from + size beyond an index's max_result_window.
EngineError resultWindowTooLarge(std::int64_t window, std::int64_t limit);

}  // namespace orrery::data
