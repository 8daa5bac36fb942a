// The query DSL as a tree, parsed from a search request's `query` object (and from the
// Lucene-like syntax of query_string, simple_query_string and `q=`). Parsing needs no
// mapping; field types are applied when the tree is compiled to SQL for a shard.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "depth_limits.hpp"
#include "fuzzy.hpp"
#include "time_zone.hpp"

namespace orrery::data {

struct Query {
  enum class Kind {
    matchAll, matchNone, term, terms, range, exists, prefix, wildcard, ids,
    match, matchPhrase, matchPhrasePrefix, multiMatch, boolean, constantScore,
  };
  Kind kind = Kind::matchAll;
  std::string field;
  // multi_match (and query_string without a field): fields with their boosts. "*" means
  // every text and keyword field of the index.
  std::vector<std::pair<std::string, double>> fields;
  std::vector<nlohmann::json> values;  // term/terms/ids
  std::string text;                    // match text, prefix, wildcard pattern
  bool operatorAnd = false;
  std::string minimumShouldMatch;  // "2", "75%", "-1", ... (match and bool)
  bool caseInsensitive = false;
  bool lenient = false;  // values that do not fit a field's type match nothing instead of failing
  // range bounds as given (numbers, strings, date math)
  std::optional<nlohmann::json> gt, gte, lt, lte;
  // range on a date field (and query_string's ranges): the zone of dates without an
  // offset and of date-math rounding.
  TimeZone timeZone;
  std::vector<Query> must, filter, should, mustNot;
  double boost = 1.0;
  // match, multi_match: each term also stands for its near spellings (fuzzy.hpp).
  bool fuzzy = false;
  Fuzziness fuzziness;
  // match_phrase (and multi_match of type phrase): how many positions the phrase's terms
  // may be apart in total.
  int slop = 0;
  // zero_terms_query `all`: a text without terms (only punctuation) matches everything.
  bool zeroTermsAll = false;
  // multi_match: most_fields adds the fields' scores; best_fields takes the best one plus
  // tie_breaker times the others.
  bool mostFields = false;
  double tieBreaker = 0;
  // multi_match cross_fields: term-centric, as if the text fields were one field (a term
  // matches in any of them; operator and minimum_should_match count terms).
  bool crossFields = false;
};

// Parses a `query` object; throws EngineError parsing_exception naming the bad key or
// query (`unknown query [foo]`, `[match] query does not support [bar]`), and
// illegal_argument_exception when queries nest deeper than `maxDepth` (the top-level
// query is at depth 1, each query inside a compound query one deeper) — before anything
// recursive sees the tree.
Query parseQuery(const nlohmann::json& json, int maxDepth = kDefaultMaxQueryDepth);

// query_string's options beyond its fields and default operator.
struct QueryStringOptions {
  TimeZone timeZone;  // for its range clauses on date fields
  // false: a term starting with `*` or `?` is refused (query_shard_exception naming it).
  bool allowLeadingWildcard = true;
  // How many levels the syntax may nest below its top expression: each parenthesised
  // group and each negation or `+` is one (a group is a nested bool query).
  int maxDepth = kDefaultMaxQueryDepth - 1;
};

// The Lucene-like syntax of query_string / q=: `field:value`, `"a phrase"`, AND, OR,
// NOT, `+`/`-`, parentheses, `*` and `?` wildcards, `field:[a TO b]`, `field:>5`.
// `defaultFields` apply to terms without a field. Throws EngineError
// query_shard_exception (Elasticsearch's type for these) naming the position, also for
// nesting deeper than `options.maxDepth`.
Query parseQueryString(const std::string& text, const std::vector<std::pair<std::string, double>>& defaultFields,
                       bool defaultAnd, const QueryStringOptions& options = {});

// simple_query_string's operators, as Lucene's SimpleQueryParser numbers them (SLOP is
// Elasticsearch's other name for NEAR).
inline constexpr unsigned kSimpleAnd = 1u << 0, kSimpleNot = 1u << 1, kSimpleOr = 1u << 2, kSimplePrefix = 1u << 3,
                          kSimplePhrase = 1u << 4, kSimplePrecedence = 1u << 5, kSimpleEscape = 1u << 6,
                          kSimpleWhitespace = 1u << 7, kSimpleFuzzy = 1u << 8, kSimpleNear = 1u << 9,
                          kSimpleAll = (1u << 10) - 1;
// `flags`: `ALL`, `NONE` or names joined by `|` (any case), or the integer. Throws
// illegal_argument_exception `Unknown simple_query_string flag [x]`.
unsigned parseSimpleQueryFlags(const nlohmann::json& value);
// The simple syntax (simple_query_string.cpp); fails only when it nests deeper than
// `maxDepth` levels (parentheses, and each change of operator, which wraps what came
// before). Nothing to search for (empty, or only operators) matches nothing.
Query parseSimpleQueryString(const std::string& text, const std::vector<std::pair<std::string, double>>& defaultFields,
                             bool defaultAnd, unsigned flags = kSimpleAll, int maxDepth = kDefaultMaxQueryDepth - 1);

}  // namespace orrery::data
