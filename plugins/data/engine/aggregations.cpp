#include "aggregations.hpp"

#include <algorithm>

#include "agg_kinds.hpp"

namespace orrery::data::agg {
namespace {

AggPartial compute(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  if (spec.type == "terms") return computeTerms(spec, ctx, where);
  if (spec.type == "histogram" || spec.type == "date_histogram") return computeHistogram(spec, ctx, where);
  if (spec.type == "range") return computeRange(spec, ctx, where);
  if (spec.type == "filters" || spec.type == "filter") return computeFilters(spec, ctx, where);
  if (spec.type == "top_hits") {
    AggPartial out;
    out.hits = ctx.topHits(spec, where, out.hitsTotal);
    return out;
  }
  return computeMetric(spec, ctx, where);
}

std::string typedName(const AggSpec& spec, const AggPartial& p) {
  std::string type = spec.type;
  if (type == "terms") {
    if (p.fieldType == FieldType::keyword || p.fieldType == FieldType::text) type = "sterms";
    else if (p.fieldType == FieldType::double_ || p.fieldType == FieldType::float_) type = "dterms";
    else type = "lterms";
  } else if (type == "percentiles") {
    type = "tdigest_percentiles";
  }
  return type + "#" + spec.name;
}

json render(const AggSpec& spec, const AggPartial& p, bool typedKeys) {
  if (spec.type == "terms") return renderTerms(spec, p, typedKeys);
  if (spec.type == "histogram" || spec.type == "date_histogram") return renderHistogram(spec, p, typedKeys);
  if (spec.type == "range") return renderRange(spec, p, typedKeys);
  if (spec.type == "filters" || spec.type == "filter") return renderFilters(spec, p, typedKeys);
  return renderMetric(spec, p);
}

}  // namespace

AggPartials computeAll(const std::vector<AggSpec>& specs, const Context& ctx, const SqlFragment& where) {
  AggPartials out;
  for (const auto& spec : specs) out[spec.name] = compute(spec, ctx, where);
  return out;
}

void runSubs(const AggSpec& spec, const Context& ctx, AggBucket& bucket, const SqlFragment& where) {
  if (!spec.subs.empty()) *bucket.subs = computeAll(spec.subs, ctx, where);
}

json renderAll(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys) {
  json out = json::object();
  for (const auto& spec : specs) {
    auto it = partials.find(spec.name);
    const AggPartial empty;
    const AggPartial& p = it == partials.end() ? empty : it->second;
    out[typedKeys ? typedName(spec, p) : spec.name] = render(spec, p, typedKeys);
  }
  return out;
}

json renderBucket(const AggSpec& spec, const AggBucket& bucket, bool typedKeys) {
  json out = {{"doc_count", bucket.docCount}};
  if (!spec.subs.empty()) {
    json subs = renderAll(spec.subs, *bucket.subs, typedKeys);
    for (auto& [key, value] : subs.items()) out[key] = value;
  }
  return out;
}

}  // namespace orrery::data::agg

namespace orrery::data {

using agg::json;

AggPartials computeAggregations(const std::vector<AggSpec>& specs, const ShardReader& shard, const Mapping& mapping,
                                QueryCompiler& compiler, const SqlFragment& where, Database& db,
                                const TopHitsFetcher& topHits, std::int64_t maxBuckets) {
  agg::Context ctx{shard, mapping, compiler, db, topHits};
  agg::BucketBudget budget(maxBuckets);
  return agg::computeAll(specs, ctx, where);
}

void mergeAggregations(const std::vector<AggSpec>& specs, AggPartials& into, const AggPartials& from) {
  for (const auto& spec : specs) {
    auto source = from.find(spec.name);
    if (source == from.end()) continue;
    AggPartial& a = into[spec.name];
    const AggPartial& b = source->second;
    if (b.fieldType != FieldType::keyword) a.fieldType = b.fieldType;
    a.count += b.count;
    a.sum += b.sum;
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
    if (a.percentiles.count() == 0) a.percentiles = b.percentiles;  // keeps the shard's compression
    else a.percentiles.merge(b.percentiles);
    a.cardinality.merge(b.cardinality);
    a.otherDocCount += b.otherDocCount;
    a.hitsTotal += b.hitsTotal;
    if (!b.hits.empty()) {
      a.hits.insert(a.hits.end(), b.hits.begin(), b.hits.end());
      // Shards' lists merged in the bucket's sort order (by score when it has none).
      std::vector<SortSpec> sorts;
      if (spec.params.contains("sort")) sorts = parseSearchRequest(json{{"sort", spec.params["sort"]}}).sort;
      std::stable_sort(a.hits.begin(), a.hits.end(), [&](const TopHit& x, const TopHit& y) {
        if (sorts.empty()) return x.score > y.score;
        for (std::size_t i = 0; i < sorts.size() && i < x.sortValues.size() && i < y.sortValues.size(); ++i) {
          const auto& u = x.sortValues[i];
          const auto& v = y.sortValues[i];
          if (u == v) continue;
          const bool nullU = std::holds_alternative<std::monostate>(u), nullV = std::holds_alternative<std::monostate>(v);
          if (nullU || nullV) return nullV;  // missing values last
          const bool less = std::holds_alternative<std::string>(u) || std::holds_alternative<std::string>(v)
                                ? u < v
                                : (std::holds_alternative<std::int64_t>(u) ? static_cast<double>(std::get<std::int64_t>(u)) : std::get<double>(u)) <
                                      (std::holds_alternative<std::int64_t>(v) ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v));
          return sorts[i].descending ? !less : less;
        }
        return false;
      });
      // Each shard sent its from + size best; the response skips `from` of them (renderMetric).
      const auto window = static_cast<std::size_t>(spec.params.value("size", std::int64_t{3}) + spec.params.value("from", std::int64_t{0}));
      if (a.hits.size() > window) a.hits.resize(window);
    }
    for (const auto& [key, bucket] : b.buckets) {
      auto [it, inserted] = a.buckets.try_emplace(key);
      if (inserted) {
        it->second.docCount = bucket.docCount;
        *it->second.subs = *bucket.subs;
      } else {
        it->second.docCount += bucket.docCount;
        mergeAggregations(spec.subs, *it->second.subs, *bucket.subs);
      }
    }
  }
}

nlohmann::json renderAggregations(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys,
                                  std::int64_t maxBuckets) {
  agg::BucketBudget budget(maxBuckets);
  return agg::renderAll(specs, partials, typedKeys);
}

}  // namespace orrery::data
