// What the aggregation files share: the per-shard context, the SQL that selects a
// field's values in the matching documents, and the entry points each kind of
// aggregation uses to recurse into its sub-aggregations.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregations.hpp"
#include "errors.hpp"

namespace orrery::data::agg {

using json = nlohmann::json;

struct Context {
  const ShardReader& shard;
  const Mapping& mapping;
  QueryCompiler& compiler;
  Database& db;
  const TopHitsFetcher& topHits;
};

std::int64_t currentMillis();
json valueJson(const SqlValue& v);
// Java's Double.toString for the values Elasticsearch prints in keys ("100.0", "2.5").
std::string javaDouble(double v);
// The mapping of the aggregated field; nullptr when no document has it. Throws for a text
// field, and for a keyword one unless `allowKeyword`.
const FieldMapping* aggField(const AggSpec& spec, const Context& ctx, bool allowKeyword);
// `SELECT doc, v` over the values of `f` in the documents matching `where`; `extra`
// adds columns of the same rows (single-valued fields only).
SqlFragment valuesOf(const ShardField& f, const SqlFragment& where, const std::string& extra = "");
// `where` narrowed to documents with a value of `f` passing `test` (on `col`).
SqlFragment narrowed(const SqlFragment& where, const ShardField& f,
                     const std::function<void(SqlFragment&, const std::string&)>& test);
std::int64_t countWhere(const Context& ctx, const SqlFragment& where);
// search.max_buckets over one aggregation walk (a shard's computation, or the reduced
// response's rendering), which runs on one thread from start to end: the walk's entry
// point holds a BucketBudget, and each kind consumes from it as it makes buckets,
// however deep it sits, without the limit threaded through every signature.
class BucketBudget {
 public:
  explicit BucketBudget(std::int64_t maxBuckets);
  ~BucketBudget();
  BucketBudget(const BucketBudget&) = delete;
  BucketBudget& operator=(const BucketBudget&) = delete;

  // Counts `n` more buckets; throws too_many_buckets_exception past the limit. A no-op
  // outside a walk.
  static void consume(std::size_t n);
  // The limit of the walk (or the default outside one).
  static std::int64_t limit();

 private:
  std::int64_t max_;
  std::int64_t used_ = 0;
  BucketBudget* outer_;
};

// aggregations.cpp: every kind, by type.
AggPartials computeAll(const std::vector<AggSpec>& specs, const Context& ctx, const SqlFragment& where);
void runSubs(const AggSpec& spec, const Context& ctx, AggBucket& bucket, const SqlFragment& where);
json renderAll(const std::vector<AggSpec>& specs, const AggPartials& partials, bool typedKeys);
// A bucket's doc_count and its rendered sub-aggregations.
json renderBucket(const AggSpec& spec, const AggBucket& bucket, bool typedKeys);

}  // namespace orrery::data::agg
