// Aggregations: each shard computes a partial result with SQL over its documents
// (GROUP BY for buckets, count/sum/min/max for metrics); partials from shards are
// merged as Elasticsearch reduces them; the merged result is rendered in Elasticsearch's
// response shape (with `type#name` keys when typed_keys is asked for).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "mapping.hpp"
#include "query_sql.hpp"
#include "search_request.hpp"
#include "shard.hpp"

namespace orrery::data {

struct AggPartial;
using AggPartials = std::map<std::string, AggPartial>;

struct AggBucket {
  std::int64_t docCount = 0;
  std::shared_ptr<AggPartials> subs = std::make_shared<AggPartials>();
};

// One hit of top_hits, with what is needed to merge shards' lists.
struct TopHit {
  std::string index;
  std::string id;
  double score = 0;
  std::vector<SqlValue> sortValues;
  std::string source;
};

struct AggPartial {
  // metrics
  double count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::vector<double> values;     // percentiles
  std::set<std::string> distinct;  // cardinality
  std::vector<TopHit> hits;        // top_hits
  std::int64_t hitsTotal = 0;
  // buckets, by key (terms, histograms; range and filters use their position or name)
  std::map<SqlValue, AggBucket> buckets;
  std::int64_t otherDocCount = 0;  // terms: documents in buckets a shard left out
  FieldType fieldType = FieldType::keyword;
};

// Hits of one bucket for top_hits: the shard search supplies them.
using TopHitsFetcher = std::function<std::vector<TopHit>(const AggSpec&, const SqlFragment& where, std::int64_t& total)>;

AggPartials computeAggregations(const std::vector<AggSpec>& specs, const ShardReader& shard, const Mapping& mapping,
                                QueryCompiler& compiler, const SqlFragment& where, Database& db,
                                const TopHitsFetcher& topHits);
void mergeAggregations(const std::vector<AggSpec>& specs, AggPartials& into, const AggPartials& from);
nlohmann::json renderAggregations(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys);

}  // namespace orrery::data
