#include "aggregations.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "dates.hpp"
#include "errors.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kMaxBuckets = 65'536;

std::int64_t currentMillisForAggs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Context {
  const Shard& shard;
  const Mapping& mapping;
  QueryCompiler& compiler;
  Database& db;
  const TopHitsFetcher& topHits;
};

json valueJson(const SqlValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}


// Java's Double.toString for the values Elasticsearch prints in keys ("100.0", "2.5").
std::string javaDouble(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e7) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.1f", v);
    return buffer;
  }
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  // shortest form that reads back the same
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  return buffer;
}

const FieldMapping* aggField(const AggSpec& spec, const Context& ctx, bool allowKeyword) {
  const std::string field = spec.params["field"].get<std::string>();
  const FieldMapping* m = ctx.mapping.find(field);
  if (!m) return nullptr;
  if (m->type == FieldType::text) {
    throw illegalArgument("Text fields are not optimised for operations that require per-document field data like "
                          "aggregations and sorting, so these operations are disabled by default. Please use a keyword "
                          "field instead. Alternatively, set fielddata=true on [" + field +
                          "] in order to load field data by uninverting the inverted index. Note that this can use "
                          "significant memory.");
  }
  if (!allowKeyword && m->type == FieldType::keyword) {
    throw illegalArgument("Field [" + field + "] of type [keyword] is not supported for aggregation [" + spec.type + "]");
  }
  return m;
}

// `SELECT doc, v` over the values of `f` in the documents matching `where`.
SqlFragment valuesOf(const ShardField& f, const SqlFragment& where) {
  SqlFragment out;
  const std::string col = "d.c" + std::to_string(f.column);
  // `+col`: the unary plus keeps SQLite from answering IS NOT NULL with this column's index,
  // a full index walk with a row lookup each, when the query's own condition is selective.
  out.add("SELECT d.seq AS doc, " + col + " AS v FROM docs d WHERE (").add(where).add(") AND +" + col + " IS NOT NULL");
  if (f.multi) {
    out.add(" UNION ALL SELECT d.seq AS doc, mv.v AS v FROM mv JOIN docs d ON d.seq = mv.doc WHERE mv.col = " +
            std::to_string(f.column) + " AND (")
        .add(where)
        .add(")");
  }
  return out;
}

// `where` narrowed to documents with a value of `f` passing `test` (on `col`).
SqlFragment narrowed(const SqlFragment& where, const ShardField& f,
                     const std::function<void(SqlFragment&, const std::string&)>& test) {
  SqlFragment out;
  return out.add("(").add(where).add(") AND ").add(columnCondition(f, test));
}

AggPartials computeAll(const std::vector<AggSpec>& specs, const Context& ctx, const SqlFragment& where);

void runSubs(const AggSpec& spec, const Context& ctx, AggBucket& bucket, const SqlFragment& where) {
  if (!spec.subs.empty()) *bucket.subs = computeAll(spec.subs, ctx, where);
}

std::int64_t countWhere(const Context& ctx, const SqlFragment& where) {
  SqlFragment sql;
  sql.add("SELECT count(*) FROM docs d WHERE ").add(where);
  auto stmt = ctx.db.prepare(sql.sql);
  stmt.bindAll(sql.params);
  stmt.step();
  return stmt.integer(0);
}

// ---- date histogram intervals -------------------------------------------------------

struct Interval {
  bool calendar = false;
  char unit = 'd';            // calendar unit: m h d w M q y
  std::int64_t fixedMillis = 0;  // fixed intervals
  std::int64_t offsetMillis = 0;  // time zone offset
};

std::int64_t parseTimeZone(const std::string& tz) {
  if (tz.empty() || tz == "UTC" || tz == "Z" || tz == "Etc/UTC" || tz == "GMT" || tz == "+00:00") return 0;
  if ((tz[0] == '+' || tz[0] == '-') && tz.size() >= 3) {
    int h = 0, m = 0;
    if (std::sscanf(tz.c_str() + 1, "%d:%d", &h, &m) >= 1 && h <= 18 && m < 60) {
      return (tz[0] == '+' ? 1 : -1) * (h * 3'600'000LL + m * 60'000LL);
    }
  }
  throw illegalArgument("unsupported time_zone [" + tz + "]: use UTC or a fixed offset such as +02:00");
}

Interval parseInterval(const AggSpec& spec) {
  Interval interval;
  if (spec.params.contains("time_zone")) interval.offsetMillis = parseTimeZone(spec.params["time_zone"].get<std::string>());
  const auto calendar = spec.params.find("calendar_interval");
  const auto fixed = spec.params.find("fixed_interval");
  if (calendar != spec.params.end()) {
    const std::string text = calendar->get<std::string>();
    static const std::map<std::string, char> kUnits = {
        {"minute", 'm'}, {"1m", 'm'}, {"hour", 'h'}, {"1h", 'h'}, {"day", 'd'},   {"1d", 'd'},   {"week", 'w'},
        {"1w", 'w'},     {"month", 'M'}, {"1M", 'M'}, {"quarter", 'q'}, {"1q", 'q'}, {"year", 'y'}, {"1y", 'y'}};
    auto it = kUnits.find(text);
    if (it == kUnits.end()) {
      throw illegalArgument("The supplied interval [" + text + "] could not be parsed as a calendar interval.");
    }
    interval.calendar = true;
    interval.unit = it->second;
    if (interval.unit == 'm') interval = Interval{false, 'm', 60'000, interval.offsetMillis};
    else if (interval.unit == 'h') interval = Interval{false, 'h', 3'600'000, interval.offsetMillis};
    else if (interval.unit == 'd') interval = Interval{false, 'd', 86'400'000, interval.offsetMillis};
    return interval;
  }
  if (fixed != spec.params.end()) {
    const std::string text = fixed->get<std::string>();
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    const std::string unit = text.substr(digits);
    static const std::map<std::string, std::int64_t> kFixed = {
        {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
    auto it = kFixed.find(unit);
    if (digits == 0 || it == kFixed.end() || std::stoll(text.substr(0, digits)) <= 0) {
      throw illegalArgument("failed to parse setting [date_histogram.fixedInterval] with value [" + text +
                            "] as a time value: unit is missing or unrecognized");
    }
    interval.fixedMillis = std::stoll(text.substr(0, digits)) * it->second;
    return interval;
  }
  throw illegalArgument("Required one of fields [fixed_interval, calendar_interval], but none were specified.");
}

SqlFragment intervalKey(const Interval& iv) {
  SqlFragment out;
  const std::string tz = std::to_string(iv.offsetMillis);
  const std::string x = "(v + " + tz + ")";
  if (!iv.calendar) {
    const std::string step = std::to_string(iv.fixedMillis);
    return out.add("(" + x + " - ((" + x + " % " + step + ") + " + step + ") % " + step + " - " + tz + ")");
  }
  if (iv.unit == 'w') {
    const std::string shifted = "(" + x + " + 259200000)";  // 1970-01-01 was a Thursday; weeks start on Monday
    return out.add("(" + shifted + " - ((" + shifted + " % 604800000) + 604800000) % 604800000 - 259200000 - " + tz + ")");
  }
  const std::string seconds = "(" + x + " / 1000)";
  std::string modifiers;
  if (iv.unit == 'M') modifiers = "'start of month'";
  else if (iv.unit == 'y') modifiers = "'start of year'";
  else modifiers = "'start of month', '-' || ((CAST(strftime('%m', " + seconds + ", 'unixepoch') AS INTEGER) - 1) % 3) || ' months'";
  return out.add("(CAST(strftime('%s', " + seconds + ", 'unixepoch', " + modifiers + ") AS INTEGER) * 1000 - " + tz + ")");
}

std::int64_t nextKey(const Interval& iv, std::int64_t key) {
  if (!iv.calendar) return key + iv.fixedMillis;
  if (iv.unit == 'w') return key + 7 * 86'400'000LL;
  const char* step = iv.unit == 'M' ? "+1M" : iv.unit == 'y' ? "+1y" : "+3M";
  return evaluateDateMath(formatDate(key + iv.offsetMillis) + "||" + step, 0, false) - iv.offsetMillis;
}

std::string formatKey(std::int64_t key, std::int64_t offset) {
  std::string text = formatDate(key + offset);
  if (offset == 0) return text;
  text.pop_back();  // the Z
  char buffer[48];
  const std::int64_t minutes = std::llabs(offset) / 60'000;
  std::snprintf(buffer, sizeof buffer, "%c%02lld:%02lld", offset < 0 ? '-' : '+', static_cast<long long>(minutes / 60),
                static_cast<long long>(minutes % 60));
  return text + buffer;
}

// ---- per-shard computation ------------------------------------------------------------

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
    sql.add("SELECT DISTINCT v FROM (").add(values).add(")");
    auto stmt = ctx.db.prepare(sql.sql);
    stmt.bindAll(sql.params);
    while (stmt.step()) out.distinct.insert(valueJson(stmt.value(0)).dump());
    return out;
  }
  if (spec.type == "percentiles") {
    sql.add("SELECT v FROM (").add(values).add(")");
    auto stmt = ctx.db.prepare(sql.sql);
    stmt.bindAll(sql.params);
    while (stmt.step()) out.values.push_back(stmt.real(0));
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

std::size_t termsSize(const AggSpec& spec) {
  const auto size = spec.params.value("size", 10);
  if (size < 1) throw illegalArgument("[size] must be greater than 0. Found [" + std::to_string(size) + "] in [" + spec.name + "]");
  return static_cast<std::size_t>(size);
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
    if (type == "cardinality") return static_cast<double>(p.distinct.size());
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

AggPartial computeTerms(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const FieldMapping* m = aggField(spec, ctx, true);
  termsSize(spec);
  if (!m) return out;
  out.fieldType = m->type;
  const ShardField* f = ctx.shard.field(spec.params["field"].get<std::string>());
  if (f) {
    SqlFragment sql;
    sql.add(f->multi ? "SELECT v, count(DISTINCT doc) FROM (" : "SELECT v, count(*) FROM (").add(valuesOf(*f, where)).add(") GROUP BY v");
    auto stmt = ctx.db.prepare(sql.sql);
    stmt.bindAll(sql.params);
    while (stmt.step()) out.buckets[stmt.value(0)].docCount = stmt.integer(1);
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
      AggBucket& bucket = out.buckets[key];
      bucket.docCount += count;
      runSubs(spec, ctx, bucket, none);
    }
  }
  const auto order = termsOrder(spec);
  const bool bySub = std::any_of(order.begin(), order.end(), [](const auto& o) { return o.first != "_count" && o.first != "_key"; });
  if (f && !spec.subs.empty()) {
    for (auto& [key, bucket] : out.buckets) {
      if (!bucket.subs->empty()) continue;
      const SqlValue k = key;
      runSubs(spec, ctx, bucket, narrowed(where, *f, [&](SqlFragment& s, const std::string& col) { s.add(col + " = ").param(k); }));
    }
  }
  if (!bySub) {
    // Like Elasticsearch, a shard returns its shard_size best buckets; the rest are counted as other.
    const std::size_t size = termsSize(spec);
    const std::size_t shardSize = spec.params.value("shard_size", static_cast<std::size_t>(size * 1.5 + 10));
    if (out.buckets.size() > shardSize) {
      std::vector<const std::pair<const SqlValue, AggBucket>*> sorted;
      for (const auto& entry : out.buckets) sorted.push_back(&entry);
      std::sort(sorted.begin(), sorted.end(), [&](auto* a, auto* b) { return orderedBefore(spec, order, *a, *b); });
      std::map<SqlValue, AggBucket> kept;
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i < shardSize) kept.emplace(sorted[i]->first, sorted[i]->second);
        else out.otherDocCount += sorted[i]->second.docCount;
      }
      out.buckets = std::move(kept);
    }
  }
  return out;
}

AggPartial computeHistogram(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const FieldMapping* m = aggField(spec, ctx, false);
  const bool dates = spec.type == "date_histogram";
  Interval iv;
  double interval = 0, offset = 0;
  if (dates) {
    iv = parseInterval(spec);
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
  SqlFragment key;
  if (dates) key = intervalKey(iv);
  else key.add("(floor((v - " + javaDouble(offset) + ") / " + javaDouble(interval) + ") * " + javaDouble(interval) + " + " + javaDouble(offset) + ")");
  SqlFragment sql;
  sql.add("SELECT ").add(key).add(f->multi ? " AS k, count(DISTINCT doc) FROM (" : " AS k, count(*) FROM (").add(valuesOf(*f, where)).add(") GROUP BY k");
  auto stmt = ctx.db.prepare(sql.sql);
  stmt.bindAll(sql.params);
  while (stmt.step()) {
    SqlValue k = dates ? SqlValue(stmt.integer(0)) : SqlValue(stmt.real(0));
    out.buckets[k].docCount = stmt.integer(1);
  }
  if (out.buckets.size() > kMaxBuckets) {
    throw EngineError(400, "too_many_buckets_exception", "Trying to create too many buckets. Must be less than or equal to: [65536] but was [" + std::to_string(out.buckets.size()) + "]. This limit can be set by changing the [search.max_buckets] cluster level setting.", {{"max_buckets", kMaxBuckets}});
  }
  if (!spec.subs.empty()) {
    for (auto& [k, bucket] : out.buckets) {
      SqlValue low = k, high;
      if (dates) high = nextKey(iv, std::get<std::int64_t>(k));
      else high = std::get<double>(k) + interval;
      runSubs(spec, ctx, bucket, narrowed(where, *f, [&](SqlFragment& s, const std::string& col) {
        s.add("(" + col + " >= ").param(low).add(" AND " + col + " < ").param(high).add(")");
      }));
    }
  }
  return out;
}

AggPartial computeRange(const AggSpec& spec, const Context& ctx, const SqlFragment& where) {
  AggPartial out;
  const FieldMapping* m = aggField(spec, ctx, false);
  const auto ranges = spec.params.find("ranges");
  if (ranges == spec.params.end() || !ranges->is_array() || ranges->empty()) {
    throw illegalArgument("No [ranges] specified for the [" + spec.name + "] aggregation");
  }
  const ShardField* f = m ? ctx.shard.field(spec.params["field"].get<std::string>()) : nullptr;
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

AggPartials computeAll(const std::vector<AggSpec>& specs, const Context& ctx, const SqlFragment& where) {
  AggPartials out;
  for (const auto& spec : specs) out[spec.name] = compute(spec, ctx, where);
  return out;
}

// ---- rendering ---------------------------------------------------------------------

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

json renderBucketKey(const AggPartial& p, const SqlValue& key, json& bucket) {
  json k = valueJson(key);
  if (p.fieldType == FieldType::boolean && std::holds_alternative<std::int64_t>(key)) {
    bucket["key_as_string"] = std::get<std::int64_t>(key) ? "true" : "false";
  } else if (p.fieldType == FieldType::date && std::holds_alternative<std::int64_t>(key)) {
    bucket["key_as_string"] = formatDate(std::get<std::int64_t>(key));
  }
  return k;
}

json renderAll(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys);

json renderBucket(const AggSpec& spec, const AggBucket& bucket, bool typedKeys) {
  json out = {{"doc_count", bucket.docCount}};
  if (!spec.subs.empty()) {
    json subs = renderAll(spec.subs, *bucket.subs, typedKeys);
    for (auto& [key, value] : subs.items()) out[key] = value;
  }
  return out;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(rank));
  const auto high = std::min(sorted.size() - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - static_cast<double>(low));
}

json render(const AggSpec& spec, const AggPartial& p, bool typedKeys) {
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
  if (spec.type == "cardinality") return {{"value", p.distinct.size()}};
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
    std::vector<double> sorted = p.values;
    std::sort(sorted.begin(), sorted.end());
    json values = json::object();
    for (double pc : percents) {
      const double v = percentile(sorted, pc);
      values[javaDouble(pc)] = std::isnan(v) ? json(nullptr) : json(v);
    }
    return {{"values", values}};
  }
  if (spec.type == "top_hits") {
    json hits = json::array();
    std::optional<double> maxScore;
    for (const auto& h : p.hits) {
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
  if (spec.type == "filter") {
    auto it = p.buckets.begin();
    if (it == p.buckets.end()) return {{"doc_count", 0}};
    return renderBucket(spec, it->second, typedKeys);
  }
  if (spec.type == "filters") {
    json buckets = spec.keyedFilters ? json::object() : json::array();
    for (const auto& [key, bucket] : p.buckets) {
      json b = renderBucket(spec, bucket, typedKeys);
      if (spec.keyedFilters) buckets[std::get<std::string>(key)] = b;
      else buckets.push_back(b);
    }
    return {{"buckets", buckets}};
  }
  if (spec.type == "range") {
    json buckets = json::array();
    const auto& ranges = spec.params["ranges"];
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
  if (spec.type == "histogram" || spec.type == "date_histogram") {
    const std::int64_t minDocCount = spec.params.value("min_doc_count", 0);
    const bool dateHistogram = spec.type == "date_histogram";
    Interval iv;
    if (dateHistogram) iv = parseInterval(spec);
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
            const std::int64_t millis = v.is_string() ? evaluateDateMath(v.get<std::string>(), currentMillisForAggs(), false)
                                                      : v.get<std::int64_t>();
            // The bucket key containing the bound.
            std::int64_t key = millis;
            if (!iv.calendar) {
              const std::int64_t x = millis + iv.offsetMillis;
              key = x - ((x % iv.fixedMillis) + iv.fixedMillis) % iv.fixedMillis - iv.offsetMillis;
            } else {
              const char unit = iv.unit == 'q' ? 'M' : iv.unit;
              std::string expr = formatDate(millis + iv.offsetMillis) + "||/" + unit;
              key = evaluateDateMath(expr, 0, false) - iv.offsetMillis;
            }
            return SqlValue(key);
          }
          const double interval = spec.params["interval"].get<double>();
          const double offset = spec.params.value("offset", 0.0);
          return SqlValue(std::floor((v.get<double>() - offset) / interval) * interval + offset);
        };
        if (auto lo = bound("min"); lo && (!first || *lo < *first)) first = lo;
        if (auto hi = bound("max"); hi && (!last || *last < *hi)) last = hi;
      }
      if (first && last) {
        SqlValue key = *first;
        std::int64_t guard = 0;
        while (!(*last < key)) {
          filled.try_emplace(key);
          if (++guard > kMaxBuckets) {
            throw EngineError(400, "too_many_buckets_exception", "Trying to create too many buckets. Must be less than or equal to: [65536]. This limit can be set by changing the [search.max_buckets] cluster level setting.", {{"max_buckets", kMaxBuckets}});
          }
          if (dateHistogram) key = nextKey(iv, std::get<std::int64_t>(key));
          else key = std::get<double>(key) + spec.params["interval"].get<double>();
        }
      }
    }
    json buckets = json::array();
    for (const auto& [key, bucket] : filled) {
      if (bucket.docCount < minDocCount) continue;
      json b = json::object();
      if (dateHistogram) b["key_as_string"] = formatKey(std::get<std::int64_t>(key), iv.offsetMillis);
      b["key"] = valueJson(key);
      json rendered = renderBucket(spec, bucket, typedKeys);
      for (auto& [k, v] : rendered.items()) b[k] = v;
      buckets.push_back(b);
    }
    return {{"buckets", buckets}};
  }
  // terms
  const auto order = termsOrder(spec);
  const std::size_t size = termsSize(spec);
  const std::int64_t minDocCount = spec.params.value("min_doc_count", 1);
  std::vector<const std::pair<const SqlValue, AggBucket>*> sorted;
  for (const auto& entry : p.buckets) {
    if (entry.second.docCount >= minDocCount) sorted.push_back(&entry);
  }
  std::sort(sorted.begin(), sorted.end(), [&](auto* a, auto* b) { return orderedBefore(spec, order, *a, *b); });
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

}  // namespace

AggPartials computeAggregations(const std::vector<AggSpec>& specs, const Shard& shard, const Mapping& mapping,
                                QueryCompiler& compiler, const SqlFragment& where, Database& db,
                                const TopHitsFetcher& topHits) {
  Context ctx{shard, mapping, compiler, db, topHits};
  return computeAll(specs, ctx, where);
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
    a.values.insert(a.values.end(), b.values.begin(), b.values.end());
    a.distinct.insert(b.distinct.begin(), b.distinct.end());
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
      const auto size = static_cast<std::size_t>(spec.params.value("size", 3));
      if (a.hits.size() > size) a.hits.resize(size);
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

nlohmann::json renderAggregations(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys) {
  return renderAll(specs, partials, typedKeys);
}

}  // namespace orrery::data
