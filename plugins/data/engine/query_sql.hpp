// Compiles a Query to SQL over one shard: a WHERE condition on `docs d`, and a score
// expression (bm25 from the FTS5 tables for full-text clauses, constants for the rest,
// summed the way a bool query adds its clauses' scores). Field types come from the
// index mapping, columns from the shard's own field table.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mapping.hpp"
#include "query.hpp"
#include "shard.hpp"
#include "sqlite.hpp"

namespace orrery::data {

struct SqlFragment {
  std::string sql;
  std::vector<SqlValue> params;

  SqlFragment& add(std::string_view text) {
    sql.append(text);
    return *this;
  }
  SqlFragment& add(const SqlFragment& other) {
    sql += other.sql;
    params.insert(params.end(), other.params.begin(), other.params.end());
    return *this;
  }
  SqlFragment& param(SqlValue value) {
    sql += '?';
    params.push_back(std::move(value));
    return *this;
  }
};

// Lowercase Unicode word split, as the unicode61 tokenizer does (non-ASCII bytes are
// kept in words and folded by SQLite itself).
std::vector<std::string> analyzeText(std::string_view text);

class QueryCompiler {
 public:
  // The shard's reader: its fields, and its connection for vocabulary look-ups (fuzziness).
  QueryCompiler(ShardReader& shard, const Mapping& mapping, std::int64_t nowMillis)
      : shard_(shard), mapping_(mapping), now_(nowMillis) {}

  SqlFragment where(const Query& q);
  SqlFragment score(const Query& q);

  // A plain match or match_phrase on one text field can be driven from its FTS5 table
  // (`FROM t JOIN docs d ... WHERE t MATCH ?`, scored by bm25() in the same scan), which
  // is how one writes that search by hand; nullopt for every other query.
  struct FtsDriver {
    std::string table;
    std::string expression;
  };
  std::optional<FtsDriver> ftsDriver(const Query& q) const;

  // The SQL expression reading a field's single value in `docs d` (NULL if the shard has
  // no column for it), and whether documents may hold several values (see `mv`).
  const ShardField* column(const std::string& field) const { return shard_.field(field); }
  // A value converted for comparing with `field`; throws query_shard_exception unless lenient.
  // Dates without an offset are read in `zone`.
  std::optional<SqlValue> convert(const std::string& field, FieldType type, const nlohmann::json& value, bool lenient,
                                  bool roundUp = false, const TimeZone& zone = TimeZone()) const;
  std::int64_t now() const { return now_; }

 private:
  SqlFragment matchField(const Query& q, const std::string& field, bool phrase, bool prefixLast, bool forScore,
                         double boost);
  std::vector<std::pair<std::string, double>> expandFields(const std::vector<std::pair<std::string, double>>& fields,
                                                           bool textAndKeywordOnly) const;
  SqlFragment guarded(const Query& q);
  // multi_match cross_fields (query_cross_fields.cpp).
  SqlFragment crossFieldsWhere(const Query& q);
  SqlFragment crossFieldsScore(const Query& q);
  // Scores of one query over several fields: their sum (most_fields), or the best plus
  // tie_breaker times the others.
  static SqlFragment blendScores(const std::vector<SqlFragment>& scores, bool sum, double tieBreaker);
  // The FTS5 MATCH expression of a full-text query's terms on one table: a phrase (NEAR
  // with slop), or the terms joined by AND (all required) or OR, each term with its fuzzy
  // spellings; `perTerm` holds each term's own expression when `required` of them must
  // match (minimum_should_match between 2 and all but one).
  // A sloppy phrase also names its terms (`sloppyTerms`, groups of `groupLength`) for
  // the sloppy_phrase function, which checks NEAR's rows by Lucene's rule; `none`: a
  // phrase prefix whose last term begins no term of the field.
  struct FtsText {
    std::string expression;
    std::vector<std::string> perTerm;
    int required = 0;
    std::string sloppyTerms;
    int groupLength = 0;
    int slop = 0;
    bool none = false;
  };
  FtsText ftsText(const Query& q, const std::vector<std::string>& tokens, bool phrase, bool prefixLast,
                  const std::string& table) const;
  FtsText phraseText(const Query& q, const std::vector<std::string>& tokens, bool prefixLast,
                     const std::string& table) const;
  // `table MATCH ?` for `text`, with the sloppy phrase check when it has one.
  static SqlFragment ftsMatch(const std::string& table, const std::string& expression, const FtsText& text);

  ShardReader& shard_;
  // Fuzzy spellings by table, term and options: the condition and the score of one query
  // share them.
  mutable std::map<std::string, std::vector<std::string>> spellings_;
  const Mapping& mapping_;
  std::int64_t now_;
};

// Documents whose value of `f` passes `test` (applied to the column, and for
// multi-valued fields also to the `mv` side table's values). Shared by queries and by
// aggregations narrowing a bucket.
SqlFragment columnCondition(const ShardField& f, const std::function<void(SqlFragment&, const std::string&)>& test);

// `msm` ("2", "-1", "75%", "-25%") applied to `optional` clauses.
int minimumShouldMatch(const std::string& msm, int optional);

}  // namespace orrery::data
