// Fuzzy matching of full-text terms, as Elasticsearch's `fuzziness` does it: a query term
// stands for every term of the field's vocabulary within an edit distance (insertions,
// deletions, substitutions and, by default, transpositions of neighbours), sharing the
// first `prefixLength` characters, at most `maxExpansions` of them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orrery::data {

class Database;

struct Fuzziness {
  bool automatic = false;  // AUTO[:low,high]: 0 edits below `low` characters, 1 below `high`, else 2
  int low = 3;
  int high = 6;
  int edits = 0;  // a fixed 0, 1 or 2 when not automatic
  int prefixLength = 0;
  int maxExpansions = 50;
  bool transpositions = true;

  // The edits allowed for `term` (counted in characters, not bytes).
  int editsFor(std::string_view term) const;
};

// Parses `AUTO`, `AUTO:3,6`, 0, 1, 2 or their strings; throws EngineError
// (parsing_exception) naming the value otherwise.
Fuzziness parseFuzziness(const std::string& query, const std::string& text);

// The edit distance between `a` and `b` in Unicode code points, or `limit + 1` if it is
// larger than `limit` (the computation stops early).
int editDistance(std::string_view a, std::string_view b, int limit, bool transpositions);

// The terms of the FTS5 table `ftsTable` (in `db`) within the allowed edits of `term`,
// closest first, then by term; `term` itself comes first when the vocabulary has it.
std::vector<std::string> fuzzyTerms(Database& db, const std::string& ftsTable, const std::string& term,
                                    const Fuzziness& fuzziness);

// The first `limit` terms (at least one) of the FTS5 table's vocabulary that begin with
// `prefix`, in term order: match_phrase_prefix's expansions of its last term, taken as
// Lucene takes them from its term dictionary.
std::vector<std::string> prefixTerms(Database& db, const std::string& ftsTable, const std::string& prefix, int limit);

// Makes the SQL function `fuzzy_match(value, term, edits, prefixLength, transpositions)`
// available on `db` (1 when `value` begins with the first `prefixLength` characters of
// `term` and is within `edits` of it), for keyword fields, whose whole value is the term.
void ensureFuzzyFunction(Database& db);

}  // namespace orrery::data
