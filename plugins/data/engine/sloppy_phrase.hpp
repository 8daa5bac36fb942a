// match_phrase with slop as Lucene's sloppy phrase query decides it. SQLite's NEAR(…, N)
// finds the terms within N tokens of each other in any order; Lucene instead measures how
// far each term is from its place in the phrase: with term i at position p_i, the phrase
// matches when max(p_i - i) - min(p_i - i) <= slop, so the terms may come out of order at
// a cost (two adjacent terms swapped need slop 2). Every such match is also a NEAR match
// within the same slop, so NEAR stays the pre-filter and this rule checks its rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sqlite.hpp"

namespace orrery::data {

// Whether positions can be chosen for the phrase's `terms` (positions[i]: where terms[i]
// occurs, ascending) within `slop`. A term repeated in the phrase needs a distinct
// position for each of its occurrences.
bool sloppyPhraseMatches(const std::vector<std::string>& terms, const std::vector<std::vector<std::int64_t>>& positions,
                         int slop);

// The FTS5 auxiliary function `sloppy_phrase(table, slop, terms)`, for a MATCH
// expression made of groups of single-term phrases — `NEAR("a" "b" "c", slop)`, or
// several such groups joined by OR (match_phrase_prefix's expansions) — where `terms`
// holds every group's terms in order, separated by spaces. 1 when a group matches by the
// rule above, with the positions of the row's text as the table's tokenizer reads it. Registered on the connection `db`; throws SqliteError when FTS5 is missing.
inline constexpr const char* kSloppyPhraseFunction = "sloppy_phrase";
void registerSloppyPhrase(Database& db);

}  // namespace orrery::data
