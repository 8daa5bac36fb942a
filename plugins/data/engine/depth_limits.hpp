// How deeply what a client sends may nest: JSON bodies and documents, queries (the DSL
// and the parentheses of query_string / simple_query_string / q=), aggregations. Every
// parser and walker of these is recursive or feeds recursive code (the SQL compiler,
// dump(), _source filtering); refusing the nesting once, where the input is parsed,
// keeps all of them within a known stack. Mapping depth is an index setting
// (index.mapping.depth.limit, in mapping.hpp), not here.
#pragma once

#include <orrery/json_parse.hpp>
#include <string>
#include <string_view>

#include "errors.hpp"

namespace orrery::data {

// Elasticsearch's indices.query.bool.max_nested_depth.
inline constexpr int kDefaultMaxQueryDepth = 30;
// Sub-aggregations within aggregations; Elasticsearch has no such limit (only
// search.max_buckets), so this is Orrery's.
inline constexpr int kDefaultMaxAggregationDepth = 20;

// The config keys (under the data plugin's section) named in the errors.
inline constexpr std::string_view kJsonDepthKey = "data.json.maxNestingDepth";
inline constexpr std::string_view kQueryDepthKey = "indices.query.bool.max_nested_depth";
inline constexpr std::string_view kAggregationDepthKey = "data.search.maxAggregationDepth";

struct DepthLimits {
  int json = kMaxJsonNestingDepth;
  int query = kDefaultMaxQueryDepth;
  int aggregations = kDefaultMaxAggregationDepth;
};

// Elasticsearch's error (and wording) for a query nested past the limit.
inline EngineError queryTooDeep() {
  return illegalArgument("The nested depth of the query exceeds the maximum nested depth for queries set in [" +
                         std::string(kQueryDepthKey) + "]");
}

// Jackson's wording, which Elasticsearch answers with, naming Orrery's key for the limit.
inline EngineError jsonTooDeep(const JsonTooDeep& error) {
  return EngineError(400, "x_content_parse_exception",
                     "Document nesting depth (" + std::to_string(error.depth()) + ") exceeds the maximum allowed (" +
                         std::to_string(error.limit()) + ", from [" + std::string(kJsonDepthKey) + "])");
}

// A request body or document: a discarded value when it is not JSON; nesting past
// `maxDepth` throws x_content_parse_exception.
inline nlohmann::json parseBoundedJson(std::string_view text, int maxDepth) {
  try {
    return parseJson(text, maxDepth);
  } catch (const JsonTooDeep& error) {
    throw jsonTooDeep(error);
  }
}

}  // namespace orrery::data
