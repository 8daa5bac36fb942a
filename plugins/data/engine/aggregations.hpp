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

#include "agg_sketches.hpp"
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
  PercentileSketch percentiles;    // percentiles
  CardinalitySketch cardinality;   // cardinality
  std::vector<TopHit> hits;        // top_hits
  std::int64_t hitsTotal = 0;
  // buckets, by key (terms, histograms; range and filters use their position or name)
  std::map<SqlValue, AggBucket> buckets;
  std::int64_t otherDocCount = 0;  // terms: documents in buckets a shard left out
  FieldType fieldType = FieldType::keyword;
};

// Hits of one bucket for top_hits: the shard search supplies them.
using TopHitsFetcher = std::function<std::vector<TopHit>(const AggSpec&, const SqlFragment& where, std::int64_t& total)>;

// Both count every bucket they make, of every aggregation at every level, against
// `maxBuckets` (search.max_buckets) and throw too_many_buckets_exception past it, before
// making more: a shard's partial and the reduced response stay bounded whatever the
// request asks (a terms size, a tiny histogram interval, wide extended_bounds).
AggPartials computeAggregations(const std::vector<AggSpec>& specs, const ShardReader& shard, const Mapping& mapping,
                                QueryCompiler& compiler, const SqlFragment& where, Database& db,
                                const TopHitsFetcher& topHits, std::int64_t maxBuckets = kDefaultMaxBuckets);
void mergeAggregations(const std::vector<AggSpec>& specs, AggPartials& into, const AggPartials& from);
nlohmann::json renderAggregations(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys,
                                  std::int64_t maxBuckets = kDefaultMaxBuckets);

}  // namespace orrery::data
