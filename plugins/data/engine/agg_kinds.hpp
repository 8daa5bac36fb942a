// Each kind of aggregation: its per-shard computation and its rendering.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agg_context.hpp"

namespace orrery::data::agg {

// agg_metrics.cpp: avg, sum, min, max, value_count, stats, cardinality, percentiles, top_hits.
AggPartial computeMetric(const AggSpec& spec, const Context& ctx, const SqlFragment& where);
json renderMetric(const AggSpec& spec, const AggPartial& p);

// Sub-aggregations computed in their bucket aggregation's own GROUP BY query instead of
// one query per bucket: plain metrics over single-valued fields.
struct FoldedMetrics {
  std::vector<const AggSpec*> specs;
  std::vector<AggPartial> empty;  // each metric's partial before values (field type set)
  std::string columns;            // ", d.cN AS m0, ..." for valuesOf
  std::string aggregates;         // ", count(m0), total(m0), min(m0), max(m0), ..."
};

// nullopt when some sub-aggregation cannot be folded (bucket or multi-valued metrics,
// cardinality, percentiles, top_hits): each bucket then runs its own queries.
std::optional<FoldedMetrics> foldMetrics(const AggSpec& spec, const Context& ctx);
// Reads the folded metrics of one bucket from `stmt`'s columns from `first` on, as
// computeMetric computes each over the bucket's documents.
void readFolded(const FoldedMetrics& folded, Statement& stmt, int first, AggBucket& bucket);

// agg_terms.cpp
AggPartial computeTerms(const AggSpec& spec, const Context& ctx, const SqlFragment& where);
json renderTerms(const AggSpec& spec, const AggPartial& p, bool typedKeys);

// agg_histograms.cpp: histogram and date_histogram.
AggPartial computeHistogram(const AggSpec& spec, const Context& ctx, const SqlFragment& where);
json renderHistogram(const AggSpec& spec, const AggPartial& p, bool typedKeys);

// agg_ranges.cpp: range, filter and filters.
AggPartial computeRange(const AggSpec& spec, const Context& ctx, const SqlFragment& where);
AggPartial computeFilters(const AggSpec& spec, const Context& ctx, const SqlFragment& where);
json renderRange(const AggSpec& spec, const AggPartial& p, bool typedKeys);
json renderFilters(const AggSpec& spec, const AggPartial& p, bool typedKeys);

}  // namespace orrery::data::agg
