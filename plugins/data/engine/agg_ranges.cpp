#include "agg_kinds.hpp"
#include "errors.hpp"

namespace orrery::data::agg {

AggPartial computeRange(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const FieldMapping* m = aggField(spec, ctx, false);
  const auto ranges = spec.params.find("ranges");
  if (ranges == spec.params.end() || !ranges->is_array() || ranges->empty()) {
    throw illegalArgument("No [ranges] specified for the [" + spec.name + "] aggregation");
  }
  const ShardField* f = m ? ctx.shard.field(spec.params["field"].get<std::string>()) : nullptr;
  BucketBudget::consume(ranges->size());
  for (std::size_t i = 0; i < ranges->size(); ++i) {
    const json& r = (*ranges)[i];
    AggBucket& bucket = out.buckets[SqlValue(static_cast<std::int64_t>(i))];
    if (!f) continue;
    const auto bound = [&](const char* name) -> std::optional<SqlValue> {
      if (!r.contains(name) || r[name].is_null()) return std::nullopt;
      return ctx.compiler.convert(spec.params["field"].get<std::string>(), m->type, r[name], false);
    };
    const auto from = bound("from");
    const auto to = bound("to");
    SqlFragment cond = narrowed(where, *f, [&](SqlFragment& s, const std::string& col) {
      s.add("(1");
      if (from) s.add(" AND " + col + " >= ").param(*from);
      if (to) s.add(" AND " + col + " < ").param(*to);
      s.add(")");
    });
    bucket.docCount = countWhere(ctx, cond);
    runSubs(spec, ctx, bucket, cond);
  }
  return out;
}

AggPartial computeFilters(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  BucketBudget::consume(spec.filters.size());
  for (std::size_t i = 0; i < spec.filters.size(); ++i) {
    const auto& [name, query] = spec.filters[i];
    SqlFragment cond;
    cond.add("(").add(where).add(") AND (").add(ctx.compiler.where(query)).add(")");
    SqlValue key = spec.type == "filters" && !spec.keyedFilters ? SqlValue(static_cast<std::int64_t>(i)) : SqlValue(name);
    AggBucket& bucket = out.buckets[key];
    bucket.docCount = countWhere(ctx, cond);
    runSubs(spec, ctx, bucket, cond);
  }
  return out;
}

json renderRange(const AggSpec& spec, const AggPartial& p, bool typedKeys) {
  json buckets = json::array();
  const auto& ranges = spec.params["ranges"];
  BucketBudget::consume(p.buckets.size());
  for (const auto& [key, bucket] : p.buckets) {
    const json& r = ranges[static_cast<std::size_t>(std::get<std::int64_t>(key))];
    json b = json::object();
    const bool hasFrom = r.contains("from") && r["from"].is_number();
    const bool hasTo = r.contains("to") && r["to"].is_number();
    std::string name = r.contains("key") && r["key"].is_string()
                           ? r["key"].get<std::string>()
                           : (hasFrom ? javaDouble(r["from"].get<double>()) : "*") + "-" +
                                 (hasTo ? javaDouble(r["to"].get<double>()) : "*");
    b["key"] = name;
    if (hasFrom) b["from"] = r["from"].get<double>();
    if (hasTo) b["to"] = r["to"].get<double>();
    json rendered = renderBucket(spec, bucket, typedKeys);
    for (auto& [k, v] : rendered.items()) b[k] = v;
    buckets.push_back(b);
  }
  return {{"buckets", buckets}};
}

json renderFilters(const AggSpec& spec, const AggPartial& p, bool typedKeys) {
  if (spec.type == "filter") {
    auto it = p.buckets.begin();
    if (it == p.buckets.end()) return {{"doc_count", 0}};
    return renderBucket(spec, it->second, typedKeys);
  }
  if (spec.type == "filters") {
    BucketBudget::consume(p.buckets.size());
    json buckets = spec.keyedFilters ? json::object() : json::array();
    for (const auto& [key, bucket] : p.buckets) {
      json b = renderBucket(spec, bucket, typedKeys);
      if (spec.keyedFilters) buckets[std::get<std::string>(key)] = b;
      else buckets.push_back(b);
    }
    return {{"buckets", buckets}};
  }
  return {};
}

}  // namespace orrery::data::agg
