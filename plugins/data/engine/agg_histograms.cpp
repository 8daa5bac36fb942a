#include <cmath>
#include <optional>

#include "agg_kinds.hpp"
#include "date_intervals.hpp"
#include "dates.hpp"
#include "errors.hpp"

namespace orrery::data::agg {

AggPartial computeHistogram(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const FieldMapping* m = aggField(spec, ctx, false);
  const bool dates = spec.type == "date_histogram";
  std::optional<DateRounding> rounding;
  double interval = 0, offset = 0;
  if (dates) {
    rounding = DateRounding::parse(spec.params);
  } else {
    if (!spec.params.contains("interval") || !spec.params["interval"].is_number() || spec.params["interval"].get<double>() <= 0) {
      throw illegalArgument("[interval] must be >0 for histogram aggregation [" + spec.name + "]");
    }
    interval = spec.params["interval"].get<double>();
    offset = spec.params.value("offset", 0.0);
  }
  if (!m) return out;
  out.fieldType = m->type;
  const ShardField* f = ctx.shard.field(spec.params["field"].get<std::string>());
  if (!f) return out;
  // A named zone's rounding is C++ (tz database), called from SQL for each value.
  std::optional<NamedZoneKey> zoneKey;
  if (rounding && rounding->needsFunction()) zoneKey.emplace(ctx.db.handle(), *rounding);
  SqlFragment key;
  if (dates) key = rounding->sqlKey(zoneKey ? zoneKey->name() : "");
  else {
    // Built by append: g++ 12 -O3 warns (-Wrestrict) on a chain of + over literals.
    const std::string step = javaDouble(interval), shift = javaDouble(offset);
    std::string expr = "(floor((v - ";
    expr.append(shift).append(") / ").append(step).append(") * ").append(step).append(" + ").append(shift).append(")");
    key.add(expr);
  }
  std::optional<FoldedMetrics> folded;
  if (!f->multi && !spec.subs.empty()) folded = foldMetrics(spec, ctx);
  SqlFragment sql;
  if (folded) {
    sql.add("SELECT ").add(key).add(" AS k, count(*)" + folded->aggregates + " FROM (").add(valuesOf(*f, where, folded->columns)).add(") GROUP BY k");
  } else {
    sql.add("SELECT ").add(key).add(f->multi ? " AS k, count(DISTINCT doc) FROM (" : " AS k, count(*) FROM (").add(valuesOf(*f, where)).add(") GROUP BY k");
  }
  auto stmt = ctx.db.prepare(sql.sql);
  stmt.bindAll(sql.params);
  while (stmt.step()) {
    SqlValue k = dates ? SqlValue(stmt.integer(0)) : SqlValue(stmt.real(0));
    BucketBudget::consume(1);  // each group is a new bucket: refused before the next is made
    AggBucket& bucket = out.buckets[k];
    bucket.docCount = stmt.integer(1);
    if (folded) readFolded(*folded, stmt, 2, bucket);
  }
  if (!spec.subs.empty() && !folded) {
    for (auto& [k, bucket] : out.buckets) {
      SqlValue low = k, high;
      if (dates) high = rounding->next(std::get<std::int64_t>(k));
      else high = std::get<double>(k) + interval;
      runSubs(spec, ctx, bucket, narrowed(where, *f, [&](SqlFragment& s, const std::string& col) {
        s.add("(" + col + " >= ").param(low).add(" AND " + col + " < ").param(high).add(")");
      }));
    }
  }
  return out;
}

json renderHistogram(const AggSpec& spec, const AggPartial& p, bool typedKeys) {
  const std::int64_t minDocCount = spec.params.value("min_doc_count", std::int64_t{0});
  const bool dateHistogram = spec.type == "date_histogram";
  std::optional<DateRounding> rounding;
  if (dateHistogram) rounding = DateRounding::parse(spec.params);
  std::map<SqlValue, AggBucket> filled = p.buckets;
  if (minDocCount == 0) {
    std::optional<SqlValue> first, last;
    if (!filled.empty()) {
      first = filled.begin()->first;
      last = filled.rbegin()->first;
    }
    if (auto bounds = spec.params.find("extended_bounds"); bounds != spec.params.end() && bounds->is_object()) {
      const auto bound = [&](const char* name) -> std::optional<SqlValue> {
        if (!bounds->contains(name)) return std::nullopt;
        const json& v = (*bounds)[name];
        if (dateHistogram) {
          const std::int64_t millis = v.is_string() ? evaluateDateMath(v.get<std::string>(), currentMillis(), false)
                                                    : v.get<std::int64_t>();
          return SqlValue(rounding->round(millis));  // the key of the bucket holding the bound
        }
        const double interval = spec.params["interval"].get<double>();
        const double offset = spec.params.value("offset", 0.0);
        return SqlValue(std::floor((v.get<double>() - offset) / interval) * interval + offset);
      };
      if (auto lo = bound("min"); lo && (!first || *lo < *first)) first = lo;
      if (auto hi = bound("max"); hi && (!last || *last < *hi)) last = hi;
    }
    if (first && last) {
      // Every key from the first to the last is a bucket: each counted before the next is
      // made, so a tiny interval over wide bounds stops at search.max_buckets instead of
      // allocating billions. A step that does not move the key (a double too large for
      // the interval to change) counts too, so the loop always ends.
      SqlValue key = *first;
      while (!(*last < key)) {
        BucketBudget::consume(1);
        filled.try_emplace(key);
        if (dateHistogram) key = rounding->next(std::get<std::int64_t>(key));
        else key = std::get<double>(key) + spec.params["interval"].get<double>();
      }
    }
  } else {
    BucketBudget::consume(filled.size());
  }
  json buckets = json::array();
  for (const auto& [key, bucket] : filled) {
    if (bucket.docCount < minDocCount) continue;
    json b = json::object();
    if (dateHistogram) b["key_as_string"] = rounding->format(std::get<std::int64_t>(key));
    b["key"] = valueJson(key);
    json rendered = renderBucket(spec, bucket, typedKeys);
    for (auto& [k, v] : rendered.items()) b[k] = v;
    buckets.push_back(b);
  }
  return {{"buckets", buckets}};
}

}  // namespace orrery::data::agg
