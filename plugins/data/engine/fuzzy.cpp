#include "fuzzy.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "errors.hpp"
#include "sqlite.hpp"

namespace orrery::data {

namespace {

// UTF-8 to code points; a stray byte counts as one character.
std::u32string codePoints(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    int length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + length > text.size()) length = 1;
    char32_t point = length == 1 ? c : c & (0x7f >> length);
    for (int k = 1; k < length; ++k) point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    out.push_back(point);
    i += length;
  }
  return out;
}

std::optional<int> wholeNumber(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The UTF-8 bytes of the first `count` code points of `text`.
std::string_view firstCharacters(std::string_view text, int count) {
  std::size_t i = 0;
  for (int seen = 0; i < text.size() && seen < count; ++seen) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) ++i;
  }
  return text.substr(0, i);
}

}  // namespace

int Fuzziness::editsFor(std::string_view term) const {
  if (!automatic) return edits;
  const auto length = static_cast<int>(codePoints(term).size());
  return length < low ? 0 : length < high ? 1 : 2;
}

Fuzziness parseFuzziness(const std::string& query, const std::string& text) {
  Fuzziness f;
  auto refuse = [&] {
    return parsingError("[" + query + "] failed to parse [fuzziness] value [" + text +
                        "]: expected AUTO, AUTO:low,high, 0, 1 or 2");
  };
  if (text == "AUTO" || text == "auto") {
    f.automatic = true;
    return f;
  }
  if (text.rfind("AUTO:", 0) == 0 || text.rfind("auto:", 0) == 0) {
    const auto bounds = std::string_view(text).substr(5);
    const auto comma = bounds.find(',');
    if (comma == std::string_view::npos) throw refuse();
    const auto low = wholeNumber(bounds.substr(0, comma));
    const auto high = wholeNumber(bounds.substr(comma + 1));
    if (!low || !high || *low < 0 || *high < *low) throw refuse();
    f.automatic = true;
    f.low = *low;
    f.high = *high;
    return f;
  }
  // Elasticsearch also reads "1.0": a whole number of edits.
  std::string_view number = text;
  if (number.size() > 2 && number.substr(number.size() - 2) == ".0") number.remove_suffix(2);
  const auto edits = wholeNumber(number);
  if (!edits || *edits < 0 || *edits > 2) throw refuse();
  f.edits = *edits;
  return f;
}

int editDistance(std::string_view left, std::string_view right, int limit, bool transpositions) {
  const auto a = codePoints(left);
  const auto b = codePoints(right);
  const auto n = a.size();
  const auto m = b.size();
  const int far = limit + 1;
  if (static_cast<int>(n > m ? n - m : m - n) > limit) return far;
  // Three rows of the optimal-string-alignment table (Damerau without repeated edits).
  std::vector<int> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<int>(i);
    int rowBest = current[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        value = std::min(value, before[j - 2] + 1);
      }
      current[j] = value;
      rowBest = std::min(rowBest, value);
    }
    if (rowBest > limit) return far;  // every later row only grows
    before.swap(previous);
    previous.swap(current);
  }
  return std::min(previous[m], far);
}

namespace {

void fuzzyMatch(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* value = sqlite3_value_text(args[0]);
  const auto* term = sqlite3_value_text(args[1]);
  if (!value || !term) {
    sqlite3_result_int(context, 0);
    return;
  }
  const std::string_view a(reinterpret_cast<const char*>(value), static_cast<std::size_t>(sqlite3_value_bytes(args[0])));
  const std::string_view b(reinterpret_cast<const char*>(term), static_cast<std::size_t>(sqlite3_value_bytes(args[1])));
  const int edits = sqlite3_value_int(args[2]);
  const auto prefix = firstCharacters(b, sqlite3_value_int(args[3]));
  const bool within = a.substr(0, prefix.size()) == prefix &&
                      editDistance(a, b, edits, sqlite3_value_int(args[4]) != 0) <= edits;
  sqlite3_result_int(context, within ? 1 : 0);
}

}  // namespace

void ensureFuzzyFunction(Database& db) {
  sqlite3_stmt* probe = nullptr;
  const bool present = sqlite3_prepare_v2(db.handle(), "SELECT fuzzy_match('', '', 0, 0, 1)", -1, &probe, nullptr) == SQLITE_OK;
  sqlite3_finalize(probe);
  if (present) return;
  if (sqlite3_create_function_v2(db.handle(), "fuzzy_match", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, fuzzyMatch,
                                 nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw SqliteError(std::string("cannot register fuzzy_match: ") + sqlite3_errmsg(db.handle()));
  }
}

namespace {

// The vocabulary of the FTS5 table, one row per distinct term; in the temp schema so the
// shard file is never written by a search. Terms are ordered, so a shared prefix becomes
// a range.
std::string vocabularyTable(Database& db, const std::string& ftsTable) {
  std::string vocabulary = "temp.fuzzy_" + ftsTable;
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS " + vocabulary + " USING fts5vocab(main, " + ftsTable + ", 'row')");
  return vocabulary;
}

}  // namespace

std::vector<std::string> prefixTerms(Database& db, const std::string& ftsTable, const std::string& prefix, int limit) {
  const auto vocabulary = vocabularyTable(db, ftsTable);
  auto select = db.prepare("SELECT term FROM " + vocabulary + " WHERE term >= ?1 AND term < ?1 || x'ff' ORDER BY term LIMIT ?2");
  select.bind(1, prefix).bind(2, std::int64_t{std::max(limit, 1)});
  std::vector<std::string> terms;
  while (select.step()) terms.push_back(select.text(0));
  return terms;
}

std::vector<std::string> fuzzyTerms(Database& db, const std::string& ftsTable, const std::string& term,
                                    const Fuzziness& fuzziness) {
  const int edits = fuzziness.editsFor(term);
  if (edits == 0) return {term};
  const auto vocabulary = vocabularyTable(db, ftsTable);
  const auto prefix = std::string(firstCharacters(term, fuzziness.prefixLength));
  auto select = prefix.empty() ? db.prepare("SELECT term FROM " + vocabulary)
                               : db.prepare("SELECT term FROM " + vocabulary + " WHERE term >= ?1 AND term < ?1 || x'ff'");
  if (!prefix.empty()) select.bind(1, prefix);
  std::vector<std::pair<int, std::string>> found;
  while (select.step()) {
    auto candidate = select.text(0);
    const int distance = editDistance(term, candidate, edits, fuzziness.transpositions);
    if (distance <= edits) found.emplace_back(distance, std::move(candidate));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> terms;
  for (auto& [distance, candidate] : found) {
    if (static_cast<int>(terms.size()) >= std::max(fuzziness.maxExpansions, 1)) break;
    terms.push_back(std::move(candidate));
  }
  return terms;
}

}  // namespace orrery::data
