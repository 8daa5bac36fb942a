// simple_query_string's syntax, read as Lucene's SimpleQueryParser reads it: operators are
// applied left to right (a change of operator wraps what came before, so `a | b + c` is
// `(a | b) + c`), `-` negates the next clause (as "everything but"), a trailing `*` makes
// a prefix, `~N` a fuzzy term or a phrase's slop. Each operator can be switched off by
// `flags`; a switched-off operator's characters are plain text for the analyzer. The
// parser never fails: an unclosed quote or parenthesis is text too.
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>

#include "errors.hpp"
#include "query.hpp"

namespace orrery::data {
namespace {

using Fields = std::vector<std::pair<std::string, double>>;

enum class Occur { none, must, should };

class SimpleParser {
 public:
  SimpleParser(const std::string& text, const Fields& fields, bool defaultAnd, unsigned flags, int maxDepth)
      : text_(text), fields_(fields), defaultAnd_(defaultAnd), flags_(flags), maxDepth_(maxDepth) {
    if (on(kSimplePrecedence)) matchParentheses();
  }

  std::optional<Query> parse() { return parseRange(0, text_.size()); }

 private:
  // One level of the text, [begin, end): the whole query or what is inside parentheses.
  struct State {
    std::size_t index;
    std::size_t end;
    std::optional<Query> top;
    Occur current = Occur::none;
    Occur previous = Occur::none;
    int nots = 0;
    int height = 0;  // of `top`: how many bool queries deep it is
  };

  bool on(unsigned flag) const { return (flags_ & flag) != 0; }

  // A backslash (with ESCAPE on) makes the next character plain: true when the character
  // at the index is that backslash, which is skipped.
  bool startsEscape(State& state, bool& escaped) const {
    if (escaped || text_[state.index] != '\\' || !on(kSimpleEscape)) return false;
    escaped = true;
    ++state.index;
    return true;
  }
  static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  // Whether the standard analyzer finds a term in `text` (a letter, digit or non-ASCII
  // character); without one Lucene builds no query for it.
  static bool hasTerms(std::string_view text) {
    for (char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) return true;
    }
    return false;
  }

  std::optional<Query> parseRange(std::size_t begin, std::size_t end) {
    State state{begin, end, std::nullopt};
    lastHeight_ = 0;
    while (state.index < state.end) {
      const char c = text_[state.index];
      if (c == '(' && on(kSimplePrecedence)) {
        subQuery(state);
      } else if (c == ')' && on(kSimplePrecedence)) {
        ++state.index;  // a stray closing parenthesis is ignored
      } else if (c == '"' && on(kSimplePhrase)) {
        phrase(state);
      } else if (c == '+' && on(kSimpleAnd)) {
        if (state.current == Occur::none && state.top) state.current = Occur::must;
        ++state.index;
      } else if (c == '|' && on(kSimpleOr)) {
        if (state.current == Occur::none && state.top) state.current = Occur::should;
        ++state.index;
      } else if (c == '-' && on(kSimpleNot)) {
        ++state.nots;
        ++state.index;
        continue;  // a negation applies to the clause that follows
      } else if (isSpace(c) && on(kSimpleWhitespace)) {
        ++state.index;
      } else {
        token(state);
      }
      state.nots = 0;  // not even whitespace may stand between `-` and its clause
    }
    lastHeight_ = state.height;
    return std::move(state.top);
  }

  // Where each `(` closes (npos: never), found once: scanning for it at each `(` would
  // make a text of unclosed ones quadratic. A backslash (with ESCAPE on) makes the next
  // character plain, as in the scan the parser made before.
  void matchParentheses() {
    closing_.assign(text_.size(), std::string::npos);
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\\' && on(kSimpleEscape)) {
        ++i;
      } else if (text_[i] == '(') {
        open.push_back(i);
      } else if (text_[i] == ')' && !open.empty()) {
        closing_[open.back()] = i;
        open.pop_back();
      }
    }
  }

  void subQuery(State& state) {
    const std::size_t close = closing_[state.index];
    const std::size_t start = ++state.index;
    if (close == std::string::npos || close >= state.end) {
      return;  // never closed: the text after `(` is read as terms
    }
    state.index = close;
    if (close == start) {
      state.current = Occur::none;  // `()`: nothing for the pending operator to apply to
      ++state.index;
    } else {
      // The parser recurses per group, even where a group adds no level to the query.
      if (++depth_ > maxDepth_) throw queryTooDeep();
      auto inner = parseRange(start, close);
      --depth_;
      ++state.index;
      if (inner) add(state, std::move(*inner), lastHeight_);
    }
  }

  void phrase(State& state) {
    const std::size_t start = ++state.index;
    std::string value;
    bool escaped = false;
    bool hasSlop = false;
    while (state.index < state.end) {
      if (startsEscape(state, escaped)) continue;
      const char c = text_[state.index];
      if (!escaped) {
        if (c == '"') {
          if (state.index + 1 < state.end && text_[state.index + 1] == '~' && on(kSimpleNear)) {
            ++state.index;
            hasSlop = state.index + 1 < state.end;  // `"a b"~` at the very end: no slop
          }
          break;
        }
      } else {
        escaped = false;
      }
      value += c;
      ++state.index;
    }
    if (state.index >= state.end) {
      state.index = start;  // no closing quote: what follows the quote is read as terms
    } else if (state.index == start) {
      state.current = Occur::none;  // `""`: nothing for the pending operator to apply to
      ++state.index;
    } else {
      Query q = fieldQuery(Query::Kind::multiMatch, value);
      q.values = {nlohmann::json("phrase")};
      q.slop = hasSlop ? fuzziness(state) : 0;
      if (hasTerms(value)) add(state, std::move(q));
      ++state.index;  // past the quote, or (as Lucene) past the character ending `~N`
    }
  }

  // `~` and the number after it (`~` alone: 2), read from `state.index` at the `~`; leaves
  // the index after the number.
  int fuzziness(State& state) {
    std::string digits;
    while (++state.index < state.end && !tokenFinished(state.index)) digits += text_[state.index];
    if (digits.empty()) return 2;
    std::int64_t value = 0;
    for (char c : digits) {
      // Not a whole number that fits an int: no edits (Lucene swallows the parse error).
      if (c < '0' || c > '9') return 0;
      value = value * 10 + (c - '0');
      if (value > 2'147'483'647) return 0;
    }
    return static_cast<int>(value);
  }

  bool tokenFinished(std::size_t i) const {
    const char c = text_[i];
    return (c == '"' && on(kSimplePhrase)) || (c == '|' && on(kSimpleOr)) || (c == '+' && on(kSimpleAnd)) ||
           ((c == '(' || c == ')') && on(kSimplePrecedence)) || (isSpace(c) && on(kSimpleWhitespace));
  }

  void token(State& state) {
    std::string value;
    bool escaped = false;
    bool prefix = false;
    bool fuzzy = false;
    while (state.index < state.end) {
      if (startsEscape(state, escaped)) {
        prefix = false;
        continue;
      }
      const char c = text_[state.index];
      if (!escaped) {
        if (tokenFinished(state.index)) break;
        if (!value.empty() && c == '~' && on(kSimpleFuzzy)) {
          fuzzy = true;
          break;
        }
        prefix = !value.empty() && c == '*' && on(kSimplePrefix);
      } else {
        escaped = false;
      }
      value += c;
      ++state.index;
    }
    if (value.empty()) return;
    if (fuzzy) {
      const int edits = std::min(fuzziness(state), 2);
      Query q = fieldQuery(Query::Kind::multiMatch, value);
      q.mostFields = true;
      q.operatorAnd = defaultAnd_;
      if (edits > 0) {
        q.fuzzy = true;
        q.fuzziness.edits = edits;
      }
      add(state, std::move(q));
    } else if (prefix) {
      Query q = fieldQuery(Query::Kind::prefix, value.substr(0, value.size() - 1));
      q.caseInsensitive = true;  // the field's analyzer lowercases the prefix
      add(state, std::move(q));
    } else if (hasTerms(value)) {  // only punctuation: no query at all (not one matching nothing)
      Query q = fieldQuery(Query::Kind::multiMatch, value);
      q.mostFields = true;
      q.operatorAnd = defaultAnd_;
      add(state, std::move(q));
    }
  }

  Query fieldQuery(Query::Kind kind, std::string text) const {
    Query q;
    q.kind = kind;
    q.text = std::move(text);
    q.fields = fields_;
    q.lenient = true;
    return q;
  }

  // Lucene's buildQueryTree: a negated clause becomes "everything but it"; a change of
  // operator wraps the tree so far as one clause of the new operator. `height`: the
  // branch's. A tree past the limit is refused before it is built (its destructor, like
  // every walker of it, recurses per level).
  void add(State& state, Query branch, int height = 0) {
    if (state.nots % 2 == 1) {
      ++height;
      Query negated;
      negated.kind = Query::Kind::boolean;
      negated.mustNot.push_back(std::move(branch));
      negated.should.push_back(Query{});
      branch = std::move(negated);
    }
    const int newHeight = !state.top ? height
                          : std::max(state.height + (state.previous != state.current ? 1 : 0), height + 1);
    if (newHeight > maxDepth_) throw queryTooDeep();
    state.height = newHeight;
    if (!state.top) {
      state.top = std::move(branch);
    } else {
      if (state.current == Occur::none) state.current = defaultAnd_ ? Occur::must : Occur::should;
      if (state.previous != state.current) {
        Query wrapped;
        wrapped.kind = Query::Kind::boolean;
        (state.current == Occur::must ? wrapped.must : wrapped.should).push_back(std::move(*state.top));
        state.top = std::move(wrapped);
      }
      (state.current == Occur::must ? state.top->must : state.top->should).push_back(std::move(branch));
    }
    state.previous = state.current;
    state.current = Occur::none;
  }

  const std::string& text_;
  const Fields& fields_;
  bool defaultAnd_;
  unsigned flags_;
  int maxDepth_;
  int depth_ = 0;
  int lastHeight_ = 0;  // of the tree parseRange returned last
  std::vector<std::size_t> closing_;
};

struct FlagName {
  const char* name;
  unsigned value;
};
constexpr FlagName kFlagNames[] = {
    {"AND", kSimpleAnd},         {"NOT", kSimpleNot},         {"OR", kSimpleOr},         {"PREFIX", kSimplePrefix},
    {"PHRASE", kSimplePhrase},   {"PRECEDENCE", kSimplePrecedence}, {"ESCAPE", kSimpleEscape},
    {"WHITESPACE", kSimpleWhitespace}, {"FUZZY", kSimpleFuzzy}, {"NEAR", kSimpleNear}, {"SLOP", kSimpleNear},
};

}  // namespace

unsigned parseSimpleQueryFlags(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    return n < 0 || n > static_cast<std::int64_t>(kSimpleAll) ? kSimpleAll : static_cast<unsigned>(n);
  }
  if (!value.is_string()) {
    throw parsingError("[simple_query_string] query: [flags] must be a string or an integer, found [" + value.dump() + "]");
  }
  const auto text = value.get<std::string>();
  if (text.empty()) return kSimpleAll;
  unsigned flags = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto bar = std::min(text.find('|', start), text.size());
    const std::string piece = text.substr(start, bar - start);
    start = bar + 1;
    if (piece.empty()) continue;
    std::string name = piece;
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // NONE and ALL decide at once, whatever follows (as Elasticsearch reads them).
    if (name == "NONE") return 0;
    if (name == "ALL") return kSimpleAll;
    bool known = false;
    for (const auto& flag : kFlagNames) {
      if (name == flag.name) {
        flags |= flag.value;
        known = true;
      }
    }
    if (!known) throw illegalArgument("Unknown simple_query_string flag [" + piece + "]");
  }
  return flags;
}

Query parseSimpleQueryString(const std::string& text, const Fields& defaultFields, bool defaultAnd, unsigned flags,
                             int maxDepth) {
  const auto first = text.find_first_not_of(" \t\n\r\f\v");
  if (first != std::string::npos && text[first] == '*' && text.find_first_not_of(" \t\n\r\f\v", first + 1) == std::string::npos) {
    return Query{};  // `*` alone: every document
  }
  SimpleParser parser(text, defaultFields, defaultAnd, flags, maxDepth);
  if (auto q = parser.parse()) return std::move(*q);
  Query none;
  none.kind = Query::Kind::matchNone;  // nothing to search for (Lucene's empty query)
  return none;
}

}  // namespace orrery::data
