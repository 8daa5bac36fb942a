#include "agg_context.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "errors.hpp"

namespace orrery::data::agg {

std::int64_t currentMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json valueJson(const SqlValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

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

SqlFragment valuesOf(const ShardField& f, const SqlFragment& where, const std::string& extra) {
  SqlFragment out;
  const std::string col = "d.c" + std::to_string(f.column);
  // `+col`: the unary plus keeps SQLite from answering IS NOT NULL with this column's index,
  // a full index walk with a row lookup each, when the query's own condition is selective.
  out.add("SELECT d.seq AS doc, " + col + " AS v" + extra + " FROM docs d WHERE (").add(where).add(") AND +" + col + " IS NOT NULL");
  if (f.multi) {
    out.add(" UNION ALL SELECT d.seq AS doc, mv.v AS v FROM mv JOIN docs d ON d.seq = mv.doc WHERE mv.col = " +
            std::to_string(f.column) + " AND (")
        .add(where)
        .add(")");
  }
  return out;
}

SqlFragment narrowed(const SqlFragment& where, const ShardField& f,
                     const std::function<void(SqlFragment&, const std::string&)>& test) {
  SqlFragment out;
  return out.add("(").add(where).add(") AND ").add(columnCondition(f, test));
}

std::int64_t countWhere(const Context& ctx, const SqlFragment& where) {
  SqlFragment sql;
  sql.add("SELECT count(*) FROM docs d WHERE ").add(where);
  auto stmt = ctx.db.prepare(sql.sql);
  stmt.bindAll(sql.params);
  stmt.step();
  return stmt.integer(0);
}

namespace {
thread_local BucketBudget* currentBudget = nullptr;
}  // namespace

BucketBudget::BucketBudget(std::int64_t maxBuckets) : max_(maxBuckets), outer_(currentBudget) { currentBudget = this; }
BucketBudget::~BucketBudget() { currentBudget = outer_; }

void BucketBudget::consume(std::size_t n) {
  BucketBudget* budget = currentBudget;
  if (!budget) return;
  budget->used_ += static_cast<std::int64_t>(n);
  if (budget->used_ > budget->max_) {
    throw EngineError(400, "too_many_buckets_exception",
                      "Trying to create too many buckets. Must be less than or equal to: [" + std::to_string(budget->max_) +
                          "] but was [" + std::to_string(budget->used_) +
                          "]. This limit can be set by changing the [search.max_buckets] cluster level setting.",
                      {{"max_buckets", budget->max_}});
  }
}

std::int64_t BucketBudget::limit() { return currentBudget ? currentBudget->max_ : kDefaultMaxBuckets; }

}  // namespace orrery::data::agg
