// A search request body (and the URI parameters that override it), parsed and checked:
// query, from/size within max_result_window, sort, _source filtering, track_total_hits,
// search_after and aggregations. Unknown keys are a parsing_exception naming the key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "query.hpp"

namespace orrery::data {

constexpr std::int64_t kMaxResultWindow = 10'000;

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
  std::int64_t size = 10;
  std::vector<SortSpec> sort;  // empty: by score
  SourceFilter source;
  // Count hits exactly up to this many; -1: exactly, always; 0: not at all.
  std::int64_t trackTotalHits = 10'000;
  std::optional<nlohmann::json> searchAfter;
  std::vector<AggSpec> aggs;
  bool trackScores = false;
  std::optional<double> minScore;

  bool needsScores() const;
};

// `body` may be null (no body). Throws EngineError (parsing_exception, illegal_argument_exception,
// also for queries or aggregations nested past `limits`).
SearchRequest parseSearchRequest(const nlohmann::json& body, const DepthLimits& limits = {});
// Applies URI parameters (`q`, `from`, `size`, `sort`, `_source`, `track_total_hits`,
// `default_operator`, `df`) over a parsed request.
void applySearchParameters(SearchRequest& request, const std::vector<std::pair<std::string, std::string>>& params,
                           const DepthLimits& limits = {});
// The aggregations object of a request (depth 1) or of a bucket's `aggs` (one deeper).
std::vector<AggSpec> parseAggregations(const nlohmann::json& aggs, const DepthLimits& limits = {}, int depth = 1);

}  // namespace orrery::data
