#include <algorithm>
#include <cmath>
#include <set>

#include "agg_kinds.hpp"
#include "dates.hpp"
#include "errors.hpp"

namespace orrery::data::agg {

AggPartial computeMetric(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const bool countOnly = spec.type == "value_count" || spec.type == "cardinality";
  const FieldMapping* m = aggField(spec, ctx, countOnly);
  if (!m) return out;
  out.fieldType = m->type;
  const ShardField* f = ctx.shard.field(spec.params["field"].get<std::string>());
  if (!f) return out;
  SqlFragment values = valuesOf(*f, where);
  SqlFragment sql;
  if (spec.type == "cardinality") {
    // Every value into the sketch (a value seen twice changes nothing): no DISTINCT, whose
    // temporary b-tree would hold every distinct value in memory.
    out.cardinality = CardinalitySketch(spec.params.value("precision_threshold", CardinalitySketch::kDefaultThreshold));
    sql.add("SELECT v FROM (").add(values).add(")");
    auto stmt = ctx.db.prepare(sql.sql);
    stmt.bindAll(sql.params);
    while (stmt.step()) out.cardinality.add(hashValue(stmt.value(0)));
    return out;
  }
  if (spec.type == "percentiles") {
    double compression = PercentileSketch::kDefaultCompression;
    if (auto t = spec.params.find("tdigest"); t != spec.params.end() && t->is_object()) {
      compression = t->value("compression", compression);  // a number, checked when parsed
    }
    out.percentiles = PercentileSketch(compression);
    sql.add("SELECT v FROM (").add(values).add(")");
    auto stmt = ctx.db.prepare(sql.sql);
    stmt.bindAll(sql.params);
    while (stmt.step()) out.percentiles.add(stmt.real(0));
    return out;
  }
  sql.add("SELECT count(v), total(v), min(v), max(v) FROM (").add(values).add(")");
  auto stmt = ctx.db.prepare(sql.sql);
  stmt.bindAll(sql.params);
  stmt.step();
  out.count = static_cast<double>(stmt.integer(0));
  if (!countOnly && out.count > 0) {
    out.sum = stmt.real(1);
    out.min = stmt.real(2);
    out.max = stmt.real(3);
  }
  return out;
}

std::optional<FoldedMetrics> foldMetrics(const AggSpec& spec, const Context& ctx) {
  static const std::set<std::string> kFoldable = {"avg", "sum", "min", "max", "value_count", "stats"};
  FoldedMetrics out;
  for (const auto& sub : spec.subs) {
    if (!kFoldable.count(sub.type) || !sub.subs.empty()) return std::nullopt;
    AggPartial empty;
    std::string column = "NULL";
    if (const FieldMapping* m = aggField(sub, ctx, sub.type == "value_count")) {
      empty.fieldType = m->type;
      if (const ShardField* f = ctx.shard.field(sub.params["field"].get<std::string>())) {
        if (f->multi) return std::nullopt;
        column = "d.c";
        column += std::to_string(f->column);
      }
    }
    // Appended piece by piece: g++ 12 -O3 warns (-Wrestrict) on a chain of + over literals.
    std::string alias = "m";
    alias += std::to_string(out.specs.size());
    out.columns.append(", ").append(column).append(" AS ").append(alias);
    out.aggregates.append(", count(").append(alias).append("), total(").append(alias).append("), min(");
    out.aggregates.append(alias).append("), max(").append(alias).append(")");
    out.specs.push_back(&sub);
    out.empty.push_back(std::move(empty));
  }
  return out;
}

void readFolded(const FoldedMetrics& folded, Statement& stmt, int first, AggBucket& bucket) {
  for (std::size_t i = 0; i < folded.specs.size(); ++i) {
    AggPartial p = folded.empty[i];
    const int col = first + static_cast<int>(i) * 4;
    p.count = static_cast<double>(stmt.integer(col));
    if (folded.specs[i]->type != "value_count" && p.count > 0) {
      p.sum = stmt.real(col + 1);
      p.min = stmt.real(col + 2);
      p.max = stmt.real(col + 3);
    }
    (*bucket.subs)[folded.specs[i]->name] = std::move(p);
  }
}

json renderMetric(const AggSpec& spec, const AggPartial& p) {
  const bool dates = p.fieldType == FieldType::date;
  const auto metric = [&](double value, bool present) {
    json out = {{"value", present ? json(value) : json(nullptr)}};
    if (present && dates) out["value_as_string"] = formatDate(static_cast<std::int64_t>(value));
    return out;
  };
  if (spec.type == "avg") return metric(p.count > 0 ? p.sum / p.count : 0, p.count > 0);
  if (spec.type == "sum") return {{"value", p.sum}};
  if (spec.type == "min") return metric(p.min, p.count > 0);
  if (spec.type == "max") return metric(p.max, p.count > 0);
  if (spec.type == "value_count") return {{"value", static_cast<std::int64_t>(p.count)}};
  if (spec.type == "cardinality") return {{"value", p.cardinality.estimate()}};
  if (spec.type == "stats") {
    const bool any = p.count > 0;
    return {{"count", static_cast<std::int64_t>(p.count)},
            {"min", any ? json(p.min) : json(nullptr)},
            {"max", any ? json(p.max) : json(nullptr)},
            {"avg", any ? json(p.sum / p.count) : json(nullptr)},
            {"sum", p.sum}};
  }
  if (spec.type == "percentiles") {
    std::vector<double> percents = {1, 5, 25, 50, 75, 95, 99};
    if (auto it = spec.params.find("percents"); it != spec.params.end() && it->is_array()) {
      percents.clear();
      for (const auto& v : *it) {
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100) {
          throw illegalArgument("percent must be in [0,100], got [" + v.dump() + "]: [" + spec.name + "]");
        }
        percents.push_back(v.get<double>());
      }
    }
    PercentileSketch sketch = p.percentiles;  // rendering sorts or compresses it
    json values = json::object();
    for (double pc : percents) {
      const double v = sketch.percentile(pc);
      values[javaDouble(pc)] = std::isnan(v) ? json(nullptr) : json(v);
    }
    return {{"values", values}};
  }
  if (spec.type == "top_hits") {
    json hits = json::array();
    std::optional<double> maxScore;
    const auto from = static_cast<std::size_t>(spec.params.value("from", std::int64_t{0}));
    const auto size = static_cast<std::size_t>(spec.params.value("size", std::int64_t{3}));
    for (std::size_t i = from; i < p.hits.size() && i - from < size; ++i) {
      const TopHit& h = p.hits[i];
      json src = json::parse(h.source);
      if (spec.params.contains("_source")) {
        SearchRequest r = parseSearchRequest(json{{"_source", spec.params["_source"]}});
        src = r.source.apply(src);
      }
      hits.push_back({{"_index", h.index}, {"_id", h.id}, {"_score", h.score}, {"_source", src}});
      maxScore = std::max(maxScore.value_or(h.score), h.score);
    }
    return {{"hits",
             {{"total", {{"value", p.hitsTotal}, {"relation", "eq"}}},
              {"max_score", maxScore ? json(*maxScore) : json(nullptr)},
              {"hits", hits}}}};
  }
  throw illegalArgument("unknown aggregation type [" + spec.type + "]");
}

}  // namespace orrery::data::agg
