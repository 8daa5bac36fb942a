#include "sloppy_phrase.hpp"

#include <algorithm>
#include <map>

#include "errors.hpp"

namespace orrery::data {

namespace {

// Whether every term fits the window of offsets [low, low + slop]: term i at a position p
// with low <= p - i <= low + slop. Identical terms share one position list, so each takes
// the smallest free position of its window in phrase order (windows of equal length, so
// taking them in order of their start is optimal).
bool fitsWindow(const std::vector<std::string>& terms, const std::vector<std::vector<std::int64_t>>& positions,
                std::int64_t low, int slop) {
  std::map<std::string, std::int64_t> lastTaken;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const std::int64_t from = low + static_cast<std::int64_t>(i);
    const std::int64_t to = from + slop;
    auto taken = lastTaken.find(terms[i]);
    const std::int64_t least = taken == lastTaken.end() ? from : std::max(from, taken->second + 1);
    const auto& list = positions[i];
    const auto it = std::lower_bound(list.begin(), list.end(), least);
    if (it == list.end() || *it > to) return false;
    lastTaken[terms[i]] = *it;
  }
  return true;
}

}  // namespace

bool sloppyPhraseMatches(const std::vector<std::string>& terms, const std::vector<std::vector<std::int64_t>>& positions,
                         int slop) {
  if (terms.empty() || positions.size() != terms.size()) return false;
  // The window's low end is some term's offset p - i; try each.
  std::vector<std::int64_t> lows;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (positions[i].empty()) return false;
    for (const auto p : positions[i]) lows.push_back(p - static_cast<std::int64_t>(i));
  }
  std::sort(lows.begin(), lows.end());
  lows.erase(std::unique(lows.begin(), lows.end()), lows.end());
  return std::any_of(lows.begin(), lows.end(), [&](std::int64_t low) { return fitsWindow(terms, positions, low, slop); });
}

namespace {

std::vector<std::string> splitTerms(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(' ', start), text.size());
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Positions of the wanted terms in one column's text, as the table's tokenizer reads it.
// (Not xInst: for a NEAR group FTS5 reports only the instances its own NEAR test used,
// so a repeated term's other positions would be missing.)
struct Positions {
  std::map<std::string, std::vector<std::size_t>, std::less<>> termIndexes;  // term → indexes in the phrase list
  std::vector<std::vector<std::int64_t>> byTerm;
  std::int64_t next = 0;
};

int onToken(void* context, int flags, const char* token, int length, int, int) {
  auto& found = *static_cast<Positions*>(context);
  if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;  // a synonym at the same position
  const std::int64_t position = found.next++;
  const auto it = found.termIndexes.find(std::string_view(token, static_cast<std::size_t>(length)));
  if (it != found.termIndexes.end()) {
    for (const auto index : it->second) found.byTerm[index].push_back(position);
  }
  return SQLITE_OK;
}

void sloppyPhrase(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context, int argc,
                  sqlite3_value** argv) {
  if (argc != 3) {
    sqlite3_result_error(context, "sloppy_phrase(table, slop, group length, terms): wrong number of arguments", -1);
    return;
  }
  const int slop = sqlite3_value_int(argv[0]);
  const int groupLength = sqlite3_value_int(argv[1]);
  const auto* text = sqlite3_value_text(argv[2]);
  const auto terms = splitTerms(text ? reinterpret_cast<const char*>(text) : "");
  if (groupLength <= 0 || terms.empty() || terms.size() % static_cast<std::size_t>(groupLength) != 0) {
    sqlite3_result_error(context, "sloppy_phrase: the terms do not make whole groups", -1);
    return;
  }
  for (int column = 0; column < api->xColumnCount(fts); ++column) {
    Positions found;
    for (std::size_t i = 0; i < terms.size(); ++i) found.termIndexes[terms[i]].push_back(i);
    found.byTerm.resize(terms.size());
    const char* body = nullptr;
    int bytes = 0;
    int rc = api->xColumnText(fts, column, &body, &bytes);
    if (rc == SQLITE_OK && body) rc = api->xTokenize(fts, body, bytes, &found, onToken);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(context, rc);
      return;
    }
    for (std::size_t first = 0; first < terms.size(); first += static_cast<std::size_t>(groupLength)) {
      const auto last = first + static_cast<std::size_t>(groupLength);
      const std::vector<std::string> groupTerms(terms.begin() + first, terms.begin() + last);
      const std::vector<std::vector<std::int64_t>> groupPositions(found.byTerm.begin() + first, found.byTerm.begin() + last);
      if (sloppyPhraseMatches(groupTerms, groupPositions, slop)) {
        sqlite3_result_int(context, 1);
        return;
      }
    }
  }
  sqlite3_result_int(context, 0);
}

}  // namespace

void registerSloppyPhrase(Database& db) {
  // The fts5_api pointer comes from `SELECT fts5(?)` with a bound pointer (SQLite's way).
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.handle(), "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  if (!api) throw SqliteError("cannot register sloppy_phrase: this SQLite has no FTS5");
  if (api->xCreateFunction(api, kSloppyPhraseFunction, nullptr, sloppyPhrase, nullptr) != SQLITE_OK) {
    throw SqliteError(std::string("cannot register sloppy_phrase: ") + sqlite3_errmsg(db.handle()));
  }
}

}  // namespace orrery::data
