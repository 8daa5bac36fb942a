#include <algorithm>

#include "agg_kinds.hpp"
#include "dates.hpp"
#include "errors.hpp"

namespace orrery::data::agg {
namespace {

// size and shard_size are ints of at least 1, checked when parsed (agg_params).
std::size_t termsSize(const AggSpec& spec) { return static_cast<std::size_t>(spec.params.value("size", std::int64_t{10})); }

std::size_t shardSizeOf(const AggSpec& spec) {
  const std::size_t size = termsSize(spec);
  return static_cast<std::size_t>(spec.params.value("shard_size", static_cast<std::int64_t>(size + size / 2 + 10)));
}

// The terms order as (key, descending) pairs; "_count" and "_key" or a sub-aggregation path.
std::vector<std::pair<std::string, bool>> termsOrder(const AggSpec& spec) {
  std::vector<std::pair<std::string, bool>> out;
  const auto one = [&](const json& item) {
    if (!item.is_object() || item.size() != 1 || !item.begin().value().is_string()) {
      throw parsingError("[terms] aggregation [" + spec.name + "]: [order] must be {\"key\": \"asc|desc\"}");
    }
    std::string key = item.begin().key();
    if (key == "_term") key = "_key";
    const auto dir = item.begin().value().get<std::string>();
    if (dir != "asc" && dir != "desc") throw parsingError("Unknown order direction [" + dir + "]");
    out.emplace_back(key, dir == "desc");
  };
  if (auto it = spec.params.find("order"); it != spec.params.end()) {
    if (it->is_array()) {
      for (const auto& item : *it) one(item);
    } else {
      for (const auto& [key, value] : it->items()) one(json{{key, value}});
    }
  }
  if (out.empty()) out.emplace_back("_count", true);
  if (out.back().first != "_key") out.emplace_back("_key", false);
  return out;
}

double metricValue(const std::vector<AggSpec>& subs, const AggPartials& partials, const std::string& path,
                   const std::string& aggName) {
  const auto dot = path.find('.');
  const std::string name = path.substr(0, dot);
  const std::string property = dot == std::string::npos ? "" : path.substr(dot + 1);
  for (const auto& spec : subs) {
    if (spec.name != name) continue;
    auto it = partials.find(name);
    if (it == partials.end()) return 0;
    const AggPartial& p = it->second;
    std::string type = spec.type;
    if (type == "stats" || !property.empty()) type = property.empty() ? "avg" : property;
    if (type == "avg") return p.count > 0 ? p.sum / p.count : -std::numeric_limits<double>::infinity();
    if (type == "sum") return p.sum;
    if (type == "min") return p.min;
    if (type == "max") return p.max;
    if (type == "count" || type == "value_count") return p.count;
    if (type == "cardinality") return static_cast<double>(p.cardinality.estimate());
    if (type == "filter") return 0;
    break;
  }
  throw EngineError(400, "aggregation_execution_exception",
                    "Invalid aggregation order path [" + path + "] for aggregation [" + aggName + "]");
}

bool orderedBefore(const AggSpec& spec, const std::vector<std::pair<std::string, bool>>& order,
                   const std::pair<const SqlValue, AggBucket>& a, const std::pair<const SqlValue, AggBucket>& b) {
  for (const auto& [key, desc] : order) {
    double x = 0, y = 0;
    if (key == "_count") {
      x = static_cast<double>(a.second.docCount);
      y = static_cast<double>(b.second.docCount);
    } else if (key == "_key") {
      if (a.first == b.first) continue;
      return desc ? b.first < a.first : a.first < b.first;
    } else {
      x = metricValue(spec.subs, *a.second.subs, key, spec.name);
      y = metricValue(spec.subs, *b.second.subs, key, spec.name);
    }
    if (x != y) return desc ? x > y : x < y;
  }
  return false;
}
json renderBucketKey(const AggPartial& p, const SqlValue& key, json& bucket) {
  json k = valueJson(key);
  if (p.fieldType == FieldType::boolean && std::holds_alternative<std::int64_t>(key)) {
    bucket["key_as_string"] = std::get<std::int64_t>(key) ? "true" : "false";
  } else if (p.fieldType == FieldType::date && std::holds_alternative<std::int64_t>(key)) {
    bucket["key_as_string"] = formatDate(std::get<std::int64_t>(key));
  }
  return k;
}

// Keeps the `keep` best buckets by `order`; the others' documents count as other.
void keepBest(const AggSpec& spec, const std::vector<std::pair<std::string, bool>>& order, AggPartial& out, std::size_t keep) {
  if (out.buckets.size() <= keep) return;
  std::vector<const std::pair<const SqlValue, AggBucket>*> sorted;
  sorted.reserve(out.buckets.size());
  for (const auto& entry : out.buckets) sorted.push_back(&entry);
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(keep), sorted.end(),
                   [&](auto* a, auto* b) { return orderedBefore(spec, order, *a, *b); });
  std::map<SqlValue, AggBucket> kept;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i < keep) kept.emplace(sorted[i]->first, sorted[i]->second);
    else out.otherDocCount += sorted[i]->second.docCount;
  }
  out.buckets = std::move(kept);
}

}  // namespace

AggPartial computeTerms(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const FieldMapping* m = aggField(spec, ctx, true);
  if (!m) return out;
  out.fieldType = m->type;
  const auto order = termsOrder(spec);
  const bool bySub = std::any_of(order.begin(), order.end(), [](const auto& o) { return o.first != "_count" && o.first != "_key"; });
  // Like Elasticsearch, a shard returns its shard_size best buckets; the rest are counted
  // as other. Ordered by count or key, each term comes once from GROUP BY, so the best
  // are kept as the rows come (pruned at twice shard_size): a field with millions of
  // terms does not make millions of buckets. Ordered by a sub-aggregation, every term is
  // a bucket (its sub-aggregations decide its place) and counts against max_buckets.
  const std::size_t shardSize = shardSizeOf(spec);
  const std::size_t limit = static_cast<std::size_t>(BucketBudget::limit());
  const std::size_t pruneAt = std::max<std::size_t>(2 * std::min(shardSize, limit), 1024);
  const auto added = [&] {
    if (bySub) {
      BucketBudget::consume(1);
    } else if (out.buckets.size() > pruneAt) {
      // More than max_buckets would be kept: refused now rather than after reading them all.
      if (shardSize >= limit) BucketBudget::consume(out.buckets.size());
      keepBest(spec, order, out, shardSize);
    }
  };
  const ShardField* f = ctx.shard.field(spec.params["field"].get<std::string>());
  std::optional<FoldedMetrics> folded;
  if (f && !f->multi && !spec.subs.empty()) folded = foldMetrics(spec, ctx);
  if (f) {
    // Over every document, walking the field's index in order is a covering scan that
    // needs no sort. With a query, `+v` stops SQLite from choosing that walk anyway (with
    // a row lookup per document to test the query, 3x slower at a million documents than
    // searching the query's own index and sorting what matches).
    const bool everyDocument = where.sql == "1" && where.params.empty();
    const std::string groupBy = everyDocument ? ") GROUP BY v" : ") GROUP BY +v";
    SqlFragment sql;
    if (folded) {
      sql.add("SELECT v, count(*)" + folded->aggregates + " FROM (").add(valuesOf(*f, where, folded->columns)).add(groupBy);
    } else {
      sql.add(f->multi ? "SELECT v, count(DISTINCT doc) FROM (" : "SELECT v, count(*) FROM (").add(valuesOf(*f, where)).add(groupBy);
    }
    auto stmt = ctx.db.prepare(sql.sql);
    stmt.bindAll(sql.params);
    while (stmt.step()) {
      AggBucket& bucket = out.buckets[stmt.value(0)];
      bucket.docCount = stmt.integer(1);
      if (folded) readFolded(*folded, stmt, 2, bucket);
      added();
    }
  }
  if (f && spec.params.value("min_doc_count", std::int64_t{1}) == 0) {
    // As in Elasticsearch: the shard's terms that no matching document holds are buckets
    // too, with a count of 0 (they sort last by count; size and order apply as usual).
    SqlFragment all, sql;
    all.add("1");
    sql.add("SELECT DISTINCT v FROM (").add(valuesOf(*f, all)).add(")");
    auto stmt = ctx.db.prepare(sql.sql);
    while (stmt.step()) {
      if (out.buckets.try_emplace(stmt.value(0)).second) added();
    }
  }
  if (auto missing = spec.params.find("missing"); missing != spec.params.end() && !missing->is_null()) {
    SqlFragment none;
    none.add("(").add(where).add(")");
    if (f) {
      none.add(" AND d.c" + std::to_string(f->column) + " IS NULL");
      if (f->multi) none.add(" AND d.seq NOT IN (SELECT doc FROM mv WHERE col = " + std::to_string(f->column) + ")");
    }
    const std::int64_t count = countWhere(ctx, none);
    if (count > 0) {
      SqlValue key = convertValue(m->type, *missing).value_or(SqlValue(missing->dump()));
      auto [it, inserted] = out.buckets.try_emplace(key);
      AggBucket& bucket = it->second;
      bucket.docCount += count;
      runSubs(spec, ctx, bucket, none);
      if (inserted && bySub) BucketBudget::consume(1);
    }
  }
  if (!bySub) {
    keepBest(spec, order, out, shardSize);
    BucketBudget::consume(out.buckets.size());
  }
  if (f && !spec.subs.empty() && !folded) {
    for (auto& [key, bucket] : out.buckets) {
      if (!bucket.subs->empty()) continue;
      const SqlValue k = key;
      runSubs(spec, ctx, bucket, narrowed(where, *f, [&](SqlFragment& s, const std::string& col) { s.add(col + " = ").param(k); }));
    }
  }
  return out;
}

json renderTerms(const AggSpec& spec, const AggPartial& p, bool typedKeys) {
  const auto order = termsOrder(spec);
  const std::size_t size = termsSize(spec);
  const std::int64_t minDocCount = spec.params.value("min_doc_count", std::int64_t{1});
  std::vector<const std::pair<const SqlValue, AggBucket>*> sorted;
  for (const auto& entry : p.buckets) {
    if (entry.second.docCount >= minDocCount) sorted.push_back(&entry);
  }
  std::sort(sorted.begin(), sorted.end(), [&](auto* a, auto* b) { return orderedBefore(spec, order, *a, *b); });
  BucketBudget::consume(std::min(size, sorted.size()));
  std::int64_t other = p.otherDocCount;
  json buckets = json::array();
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i >= size) {
      other += sorted[i]->second.docCount;
      continue;
    }
    json b = json::object();
    b["key"] = renderBucketKey(p, sorted[i]->first, b);
    json rendered = renderBucket(spec, sorted[i]->second, typedKeys);
      for (auto& [k, v] : rendered.items()) b[k] = v;
    buckets.push_back(b);
  }
  return {{"doc_count_error_upper_bound", 0}, {"sum_other_doc_count", other}, {"buckets", buckets}};
}

}  // namespace orrery::data::agg
