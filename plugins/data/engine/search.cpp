#include "search.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "errors.hpp"
#include "query_sql.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kDocShardFactor = std::int64_t{1} << 40;

// Stops a running statement when the search is cancelled or its timeout has passed:
// SQLite calls the handler every kProgressSteps virtual machine instructions, and a
// non-zero answer makes the statement fail with SQLITE_INTERRUPT.
class ProgressGuard {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kProgressSteps = 1000;

  ProgressGuard(Database& db, const std::atomic<bool>* cancelled, std::optional<Clock::time_point> deadline)
      : db_(db), cancelled_(cancelled), deadline_(deadline) {
    if (cancelled_ || deadline_) sqlite3_progress_handler(db_.handle(), kProgressSteps, &ProgressGuard::check, this);
  }
  ~ProgressGuard() {
    if (cancelled_ || deadline_) sqlite3_progress_handler(db_.handle(), 0, nullptr, nullptr);
  }
  ProgressGuard(const ProgressGuard&) = delete;
  ProgressGuard& operator=(const ProgressGuard&) = delete;

  bool timedOut() const { return timedOut_; }
  bool cancelled() const { return cancelled_ && cancelled_->load(); }

 private:
  static int check(void* self) {
    auto* guard = static_cast<ProgressGuard*>(self);
    if (guard->cancelled()) return 1;
    if (guard->deadline_ && Clock::now() >= *guard->deadline_) guard->timedOut_ = true;
    return guard->timedOut_ ? 1 : 0;
  }

  Database& db_;
  const std::atomic<bool>* cancelled_;
  std::optional<Clock::time_point> deadline_;
  bool timedOut_ = false;
};

SqlValue fromJson(const json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::int64_t{v.get<bool>() ? 1 : 0};
  return std::monostate{};
}

json toJson(const SqlValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

// Orders SQL values as SQLite does: NULL < numbers < text.
int compareValues(const SqlValue& a, const SqlValue& b) {
  const auto rank = [](const SqlValue& v) { return std::holds_alternative<std::monostate>(v) ? 0 : std::holds_alternative<std::string>(v) ? 2 : 1; };
  if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
  if (rank(a) == 0) return 0;
  if (rank(a) == 2) {
    const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  const double x = std::holds_alternative<std::int64_t>(a) ? static_cast<double>(std::get<std::int64_t>(a)) : std::get<double>(a);
  const double y = std::holds_alternative<std::int64_t>(b) ? static_cast<double>(std::get<std::int64_t>(b)) : std::get<double>(b);
  if (std::holds_alternative<std::int64_t>(a) && std::holds_alternative<std::int64_t>(b)) {
    const auto i = std::get<std::int64_t>(a), j = std::get<std::int64_t>(b);
    return i < j ? -1 : i > j ? 1 : 0;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

struct SortExpression {
  SqlFragment expr;
  const SortSpec* spec;
};

// The SQL expression a sort key reads on this shard.
SqlFragment sortExpression(const SortSpec& spec, const ShardReader& shard, const Mapping& mapping, const SqlFragment& score) {
  SqlFragment out;
  switch (spec.kind) {
    case SortSpec::Kind::score: return score;
    case SortSpec::Kind::doc:
      return out.add("(" + std::to_string(shard.number()) + " * " + std::to_string(kDocShardFactor) + " + d.seq)");
    case SortSpec::Kind::field: break;
  }
  const FieldMapping* m = mapping.find(spec.field);
  if (!m) {
    if (spec.field == "_id") return out.add("d.id");
    throw EngineError(400, "query_shard_exception", "No mapping found for [" + spec.field + "] in order to sort on",
                      {{"index_uuid", "_na_"}});
  }
  if (m->type == FieldType::text) {
    throw illegalArgument("Text fields are not optimised for operations that require per-document field data like "
                          "aggregations and sorting, so these operations are disabled by default. Please use a keyword "
                          "field instead. Alternatively, set fielddata=true on [" + spec.field +
                          "] in order to load field data by uninverting the inverted index. Note that this can use "
                          "significant memory.");
  }
  const ShardField* f = shard.field(spec.field);
  if (!f) return out.add("NULL");
  const std::string col = "d.c" + std::to_string(f->column);
  if (!f->multi) out.add(col);
  else {
    // Several values: ascending sorts use the smallest, descending the largest.
    out.add("coalesce(" + col + ", (SELECT " + (spec.descending ? "max" : "min") + "(v) FROM mv WHERE doc = d.seq AND col = " +
            std::to_string(f->column) + "))");
  }
  if (spec.missing.is_string() && (spec.missing == "_last" || spec.missing == "_first")) return out;
  SqlFragment withMissing;
  auto missing = m->type == FieldType::keyword ? SqlValue(spec.missing.is_string() ? spec.missing.get<std::string>() : spec.missing.dump())
                                                : convertValue(m->type, spec.missing).value_or(fromJson(spec.missing));
  withMissing.add("coalesce(").add(out).add(", ").param(missing).add(")");
  return withMissing;
}

// `k<i>`, built by appending: g++ 12 -O3 warns (-Wrestrict) on `"k" + std::to_string(i)`.
std::string keyAlias(std::size_t i) {
  std::string alias = "k";
  alias.append(std::to_string(i));
  return alias;
}

bool missingFirst(const SortSpec& spec) { return spec.missing.is_string() && spec.missing == "_first"; }

std::vector<SortSpec> effectiveSort(const SearchRequest& request) {
  if (!request.sort.empty()) return request.sort;
  return {SortSpec{}};  // _score desc
}

}  // namespace

std::int64_t currentMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ShardResult searchShard(Index& index, Shard& shardFile, const SearchRequest& request, std::int64_t nowMillis,
                        const std::atomic<bool>* cancelled) {
  ShardResult result;
  result.index = index.name();
  result.shard = shardFile.number();
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t window = request.from + request.size;  // Java ints each: no overflow
  if (window > index.settings().maxResultWindow) throw resultWindowTooLarge(window, index.settings().maxResultWindow);
  const Mapping mapping = index.mapping();
  // Its own connection and snapshot: the search runs beside writes and other searches.
  ShardReader shard = shardFile.read();
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (request.timeout) deadline = started + *request.timeout;
  ProgressGuard progress(shard.db(), cancelled, deadline);
  try {
    QueryCompiler compiler(shard, mapping, nowMillis);
    SqlFragment where = compiler.where(request.query);
    const bool scoring = request.needsScores();
    SqlFragment score;
    if (scoring) score = compiler.score(request.query);
    else score.add("0.0");
    // Hits and totals of a single full-text clause are read straight from its FTS5 table;
    // aggregations keep the general condition on `docs d`.
    const SqlFragment aggregationWhere = where;
    std::string from = "docs d";
    if (const auto driver = request.minScore ? std::nullopt : compiler.ftsDriver(request.query)) {
      from = driver->table + " JOIN docs d ON d.seq = " + driver->table + ".rowid";
      where = SqlFragment{};
      where.add(driver->table + " MATCH ").param(driver->expression);
      score = SqlFragment{};
      score.add(scoring ? "(-bm25(" + driver->table + "))" : "0.0");
    }
    if (request.minScore) {
      SqlFragment w;
      w.add("(").add(where).add(" AND ").add(score).add(" >= ").param(*request.minScore).add(")");
      where = std::move(w);
    }

    // Hits.
    const auto sorts = effectiveSort(request);
    std::vector<SqlFragment> keys;
    for (const auto& spec : sorts) keys.push_back(sortExpression(spec, shard, mapping, score));
    SqlFragment hitsWhere = where;
    if (request.searchAfter) {
      SqlFragment after;
      after.add("(");
      for (std::size_t i = 0; i < sorts.size(); ++i) {
        if (i) after.add(" OR ");
        after.add("(");
        for (std::size_t j = 0; j < i; ++j) {
          const auto value = fromJson((*request.searchAfter)[j]);
          if (std::holds_alternative<std::monostate>(value)) after.add("(").add(keys[j]).add(") IS NULL AND ");
          else after.add("(").add(keys[j]).add(") = ").param(value).add(" AND ");
        }
        const auto value = fromJson((*request.searchAfter)[i]);
        if (std::holds_alternative<std::monostate>(value)) {
          after.add("0");
        } else {
          after.add("((").add(keys[i]).add(sorts[i].descending ? ") < " : ") > ").param(value);
          if (!missingFirst(sorts[i])) after.add(" OR (").add(keys[i]).add(") IS NULL");
          after.add(")");
        }
        after.add(")");
      }
      after.add(")");
      SqlFragment combined;
      combined.add("(").add(where).add(") AND ").add(after);
      hitsWhere = std::move(combined);
    }
    const std::int64_t limit = request.from + request.size;
    if (limit > 0) {
      SqlFragment sql;
      // Keys are ordered by their aliases: a constant expression (a score of 0) in ORDER BY
      // would be read as a column number.
      sql.add("SELECT d.seq, d.id, d.source, ").add(score);
      for (std::size_t i = 0; i < keys.size(); ++i) sql.add(", ").add(keys[i]).add(" AS " + keyAlias(i));
      sql.add(" FROM " + from + " WHERE ").add(hitsWhere).add(" ORDER BY ");
      for (std::size_t i = 0; i < sorts.size(); ++i) {
        const std::string k = keyAlias(i);
        sql.add(k + (missingFirst(sorts[i]) ? " IS NULL DESC, " : " IS NULL, "));
        sql.add(k + (sorts[i].descending ? " DESC, " : " ASC, "));
      }
      sql.add("d.seq LIMIT " + std::to_string(limit));
      auto stmt = shard.db().prepare(sql.sql);
      stmt.bindAll(sql.params);
      while (stmt.step()) {
        ShardHit hit{index.name(), shard.number(), stmt.integer(0), stmt.text(1), stmt.real(3), {}, stmt.text(2)};
        for (std::size_t i = 0; i < keys.size(); ++i) hit.sortValues.push_back(stmt.value(static_cast<int>(4 + i)));
        result.hits.push_back(std::move(hit));
      }
    }

    // Total hits, counted no further than asked.
    if (request.trackTotalHits != 0) {
      SqlFragment sql;
      if (request.trackTotalHits < 0) {
        sql.add("SELECT count(*) FROM " + from + " WHERE ").add(where);
      } else {
        sql.add("SELECT count(*) FROM (SELECT 1 FROM " + from + " WHERE ").add(where).add(" LIMIT " +
                                                                                   std::to_string(request.trackTotalHits + 1) + ")");
      }
      auto stmt = shard.db().prepare(sql.sql);
      stmt.bindAll(sql.params);
      stmt.step();
      result.total = stmt.integer(0);
    }

    if (!request.aggs.empty()) {
      TopHitsFetcher topHits = [&](const AggSpec& spec, const SqlFragment& bucketWhere, std::int64_t& total) {
        SearchRequest inner;
        inner.size = spec.params.value("size", std::int64_t{3});  // ints, checked when parsed (agg_params)
        inner.from = spec.params.value("from", std::int64_t{0});
        const std::int64_t innerWindow = inner.from + inner.size;
        const std::int64_t innerLimit = index.settings().maxInnerResultWindow;
        if (innerWindow > innerLimit) {
          throw illegalArgument("Top hits result window is too large, the top hits aggregator [" + spec.name +
                                "]'s from + size must be less than or equal to: [" + std::to_string(innerLimit) +
                                "] but was [" + std::to_string(innerWindow) +
                                "]. This limit can be set by changing the [index.max_inner_result_window] index level setting.");
        }
        if (spec.params.contains("sort")) inner.sort = parseSearchRequest(json{{"sort", spec.params["sort"]}}).sort;
        const bool innerScores = inner.needsScores();
        SqlFragment innerScore;
        if (innerScores) innerScore = compiler.score(request.query);
        else innerScore.add("0.0");
        std::vector<SqlFragment> innerKeys;
        const auto innerSorts = effectiveSort(inner);
        for (const auto& s : innerSorts) innerKeys.push_back(sortExpression(s, shard, mapping, innerScore));
        SqlFragment sql;
        sql.add("SELECT d.seq, d.id, d.source, ").add(innerScore);
        for (std::size_t i = 0; i < innerKeys.size(); ++i) sql.add(", ").add(innerKeys[i]).add(" AS " + keyAlias(i));
        sql.add(" FROM docs d WHERE ").add(bucketWhere).add(" ORDER BY ");
        for (std::size_t i = 0; i < innerSorts.size(); ++i) {
          const std::string k = keyAlias(i);
          sql.add(k + " IS NULL, " + k + (innerSorts[i].descending ? " DESC, " : " ASC, "));
        }
        sql.add("d.seq LIMIT " + std::to_string(inner.from + inner.size));
        std::vector<TopHit> hits;
        auto stmt = shard.db().prepare(sql.sql);
        stmt.bindAll(sql.params);
        while (stmt.step()) {
          TopHit hit{index.name(), stmt.text(1), stmt.real(3), {}, stmt.text(2)};
          for (std::size_t i = 0; i < innerKeys.size(); ++i) hit.sortValues.push_back(stmt.value(static_cast<int>(4 + i)));
          hits.push_back(std::move(hit));
        }
        SqlFragment count;
        count.add("SELECT count(*) FROM docs d WHERE ").add(bucketWhere);
        auto countStmt = shard.db().prepare(count.sql);
        countStmt.bindAll(count.params);
        countStmt.step();
        total = countStmt.integer(0);
        return hits;
      };
      result.aggs = computeAggregations(request.aggs, shard, mapping, compiler, aggregationWhere, shard.db(), topHits,
                                        request.maxBuckets);
    }
  } catch (const SqliteError& error) {
    if (progress.cancelled()) {
      throw EngineError(400, "task_cancelled_exception", "The search was cancelled");
    }
    if (!progress.timedOut()) throw;
    // As Elasticsearch: what the shard found before the timeout, flagged timed_out. The
    // hits read so far are real hits; the total counts at least them.
    result.timedOut = true;
    result.total = std::max<std::int64_t>(result.total, static_cast<std::int64_t>(result.hits.size()));
  }
  return result;
}

json reduceResults(const SearchRequest& request, const std::vector<ShardResult>& results, const ShardCounts& counts,
                   bool typedKeys, std::int64_t tookMillis) {
  const auto sorts = effectiveSort(request);
  std::vector<const ShardHit*> hits;
  std::int64_t total = 0;
  for (const auto& r : results) {
    total += r.total;
    for (const auto& hit : r.hits) hits.push_back(&hit);
  }
  const auto before = [&](const ShardHit* a, const ShardHit* b) {
    for (std::size_t i = 0; i < sorts.size(); ++i) {
      const auto& x = a->sortValues[i];
      const auto& y = b->sortValues[i];
      const bool xNull = std::holds_alternative<std::monostate>(x), yNull = std::holds_alternative<std::monostate>(y);
      if (xNull != yNull) return missingFirst(sorts[i]) ? xNull : yNull;
      int c = compareValues(x, y);
      if (sorts[i].descending) c = -c;
      if (c != 0) return c < 0;
    }
    if (a->index != b->index) return a->index < b->index;
    if (a->shard != b->shard) return a->shard < b->shard;
    return a->seq < b->seq;
  };
  std::stable_sort(hits.begin(), hits.end(), before);

  const bool scored = request.needsScores();
  const bool sortedByScoreOnly = request.sort.empty();
  json hitList = json::array();
  std::optional<double> maxScore;
  for (std::size_t i = static_cast<std::size_t>(request.from);
       i < hits.size() && i < static_cast<std::size_t>(request.from + request.size); ++i) {
    const ShardHit& hit = *hits[i];
    json out = {{"_index", hit.index}, {"_id", hit.id}};
    out["_score"] = scored ? json(hit.score) : json(nullptr);
    if (request.source.enabled) out["_source"] = request.source.apply(json::parse(hit.source));
    if (!sortedByScoreOnly) {
      json sortValues = json::array();
      for (const auto& v : hit.sortValues) sortValues.push_back(toJson(v));
      out["sort"] = sortValues;
    }
    hitList.push_back(std::move(out));
  }
  if (scored) {
    for (const auto* hit : hits) maxScore = std::max(maxScore.value_or(hit->score), hit->score);
  }

  bool timedOut = false;
  for (const auto& r : results) timedOut = timedOut || r.timedOut;
  json response = {{"took", tookMillis},
                   {"timed_out", timedOut},
                   {"_shards",
                    {{"total", counts.total},
                     {"successful", counts.successful},
                     {"skipped", counts.skipped},
                     {"failed", counts.failed}}}};
  json failures = json::array();
  for (const auto& r : results) {
    if (r.failure) failures.push_back({{"shard", r.shard}, {"index", r.index}, {"reason", *r.failure}});
  }
  if (!failures.empty()) response["_shards"]["failures"] = failures;
  json hitsJson = json::object();
  if (request.trackTotalHits != 0) {
    const bool capped = request.trackTotalHits > 0 && total > request.trackTotalHits;
    hitsJson["total"] = {{"value", capped ? request.trackTotalHits : total}, {"relation", capped ? "gte" : "eq"}};
  }
  hitsJson["max_score"] = maxScore ? json(*maxScore) : json(nullptr);
  hitsJson["hits"] = std::move(hitList);
  response["hits"] = std::move(hitsJson);
  if (!request.aggs.empty()) {
    AggPartials merged;
    bool first = true;
    for (const auto& r : results) {
      if (r.failure) continue;
      if (first) {
        merged = r.aggs;
        first = false;
      } else {
        mergeAggregations(request.aggs, merged, r.aggs);
      }
    }
    response["aggregations"] = renderAggregations(request.aggs, merged, typedKeys, request.maxBuckets);
  }
  return response;
}

json searchIndices(const std::vector<std::shared_ptr<Index>>& indices, const SearchRequest& request, bool typedKeys) {
  const auto start = std::chrono::steady_clock::now();
  const auto now = currentMillis();
  std::vector<ShardResult> results;
  ShardCounts counts;
  for (const auto& index : indices) {
    for (auto& shard : index->shards()) {
      ++counts.total;
      results.push_back(searchShard(*index, *shard, request, now));
      ++counts.successful;
    }
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return reduceResults(request, results, counts, typedKeys, took);
}

std::int64_t countIndices(const std::vector<std::shared_ptr<Index>>& indices, const Query& query) {
  SearchRequest request;
  request.query = query;
  request.size = 0;
  request.sort = {SortSpec{SortSpec::Kind::doc, "", false, "_last"}};
  request.trackTotalHits = -1;
  std::int64_t total = 0;
  const auto now = currentMillis();
  for (const auto& index : indices) {
    for (auto& shard : index->shards()) total += searchShard(*index, *shard, request, now).total;
  }
  return total;
}

}  // namespace orrery::data
