// The Lucene-like syntax of query_string and `q=`, parsed into the
// same Query tree as the JSON DSL. Precedence: NOT binds tighter than AND, AND tighter
// than OR; clauses side by side are joined with the default operator.
#include <cctype>

#include "errors.hpp"
#include "query.hpp"

namespace orrery::data {
namespace {

using Fields = std::vector<std::pair<std::string, double>>;

class Parser {
 public:
  Parser(const std::string& text, const Fields& defaults, bool defaultAnd, const QueryStringOptions& options)
      : text_(text), defaults_(defaults), defaultAnd_(defaultAnd), options_(options) {}

  Query parse() {
    skipSpace();
    if (pos_ >= text_.size()) return matchAll();
    Query q = parseOr("");
    skipSpace();
    if (pos_ < text_.size()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return q;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw EngineError(400, "query_shard_exception",
                      "Failed to parse query [" + text_ + "]: " + why + " at position " + std::to_string(pos_),
                      {{"index_uuid", "_na_"}});
  }

  static Query matchAll() { return Query{}; }

  // One more level of nesting (a group, a negation, a `+`) for as long as it lives: the
  // parser recurses per level, and each level is a nested query for every later walker.
  class Level {
   public:
    explicit Level(Parser& parser) : parser_(parser) {
      if (++parser_.depth_ > parser_.options_.maxDepth) {
        --parser_.depth_;
        parser_.fail("The nested depth of the query exceeds the maximum nested depth for queries set in [" +
                     std::string(kQueryDepthKey) + "]");
      }
    }
    ~Level() { --parser_.depth_; }
    Level(const Level&) = delete;
    Level& operator=(const Level&) = delete;

   private:
    Parser& parser_;
  };

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool keyword(const char* word) {
    skipSpace();
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    const std::size_t end = pos_ + w.size();
    if (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) && text_[end] != '(') return false;
    pos_ = end;
    return true;
  }

  bool symbol(const char* sym) {
    skipSpace();
    const std::string s(sym);
    if (text_.compare(pos_, s.size(), s) != 0) return false;
    pos_ += s.size();
    return true;
  }

  bool atClauseStart() {
    skipSpace();
    return pos_ < text_.size() && text_[pos_] != ')';
  }

  bool orOperator() { return keyword("OR") || symbol("||"); }
  bool andOperator() { return keyword("AND") || symbol("&&"); }

  Query combine(std::vector<Query> items, bool conjunction) {
    if (items.size() == 1) return std::move(items.front());
    Query q;
    q.kind = Query::Kind::boolean;
    for (auto& item : items) {
      // A negated clause (bool with only must_not) joins as must_not of the group.
      const bool negated = item.kind == Query::Kind::boolean && item.must.empty() && item.should.empty() &&
                           item.filter.empty() && item.mustNot.size() == 1 && item.boost == -1;
      if (negated) {
        q.mustNot.push_back(std::move(item.mustNot.front()));
      } else if (conjunction) {
        q.must.push_back(std::move(item));
      } else {
        q.should.push_back(std::move(item));
      }
    }
    if (!conjunction) q.minimumShouldMatch = q.should.empty() ? "0" : "1";
    return q;
  }

  Query parseOr(const std::string& field) {
    std::vector<Query> items{parseAnd(field)};
    while (true) {
      if (orOperator()) {
        items.push_back(parseAnd(field));
      } else if (!defaultAnd_ && atClauseStart()) {
        items.push_back(parseAnd(field));
      } else {
        break;
      }
    }
    return combine(std::move(items), false);
  }

  Query parseAnd(const std::string& field) {
    std::vector<Query> items{parseUnary(field)};
    while (true) {
      if (andOperator()) {
        items.push_back(parseUnary(field));
      } else if (defaultAnd_ && atClauseStart() && !peekOr()) {
        items.push_back(parseUnary(field));
      } else {
        break;
      }
    }
    return combine(std::move(items), true);
  }

  bool peekOr() {
    const auto saved = pos_;
    const bool found = orOperator();
    pos_ = saved;
    return found;
  }

  Query parseUnary(const std::string& field) {
    skipSpace();
    if (keyword("NOT") || symbol("-") || symbol("!")) {
      const Level level(*this);
      Query inner = parseUnary(field);
      Query q;
      q.kind = Query::Kind::boolean;
      q.mustNot.push_back(std::move(inner));
      q.boost = -1;  // marks "a negated clause" for combine(); reset below when it stands alone
      return q;
    }
    if (symbol("+")) {
      const Level level(*this);
      return parseUnary(field);
    }
    return parseClause(field);
  }

  Query parseClause(std::string field) {
    skipSpace();
    if (pos_ >= text_.size()) fail("expected a term");
    if (text_[pos_] == '(') {
      const Level level(*this);
      ++pos_;
      Query q = parseOr(field);
      if (!symbol(")")) fail("expected ')'");
      return q;
    }
    if (text_[pos_] == '"') return phrase(field);
    // `field:` prefix?
    if (field.empty()) {
      std::size_t end = pos_;
      while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_' ||
                                    text_[end] == '.' || text_[end] == '-' || text_[end] == '*' || text_[end] == '@')) {
        ++end;
      }
      if (end > pos_ && end < text_.size() && text_[end] == ':') {
        field = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        skipSpace();
        if (pos_ >= text_.size()) fail("expected a value after '" + field + ":'");
        if (text_[pos_] == '[' || text_[pos_] == '{') return rangeClause(field);
        if (text_[pos_] == '>' || text_[pos_] == '<') return comparison(field);
        return parseClause(field);  // a group, a phrase or a term of that field
      }
    }
    return term(field);
  }

  std::string readTerm() {
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '"') break;
      if (c == ':' || c == '[' || c == ']' || c == '{' || c == '}') break;
      if (c == '\\' && pos_ + 1 < text_.size()) {
        out += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      out += c;
      ++pos_;
    }
    return out;
  }

  Query fieldQuery(Query::Kind kind, const std::string& field, std::string text) {
    Query q;
    q.kind = kind;
    q.text = std::move(text);
    q.lenient = true;
    if (field.empty() || field.find('*') != std::string::npos) {
      q.fields = field.empty() ? defaults_ : Fields{{field, 1.0}};
    } else {
      q.field = field;
    }
    return q;
  }

  Query term(const std::string& field) {
    const std::size_t start = pos_;
    std::string value = readTerm();
    if (value.empty()) fail("expected a term");
    if (value == "*") {
      if (field.empty()) return matchAll();
      Query q;
      q.kind = Query::Kind::exists;
      q.field = field;
      return q;
    }
    const auto wild = value.find_first_of("*?");
    if (!options_.allowLeadingWildcard && (text_[start] == '*' || text_[start] == '?')) {
      pos_ = start;
      fail("'*' or '?' not allowed as first character in WildcardQuery [" + value + "]");
    }
    if (wild != std::string::npos) {
      const bool prefixOnly = wild == value.size() - 1 && value.back() == '*';
      Query q = fieldQuery(prefixOnly ? Query::Kind::prefix : Query::Kind::wildcard, field,
                           prefixOnly ? value.substr(0, value.size() - 1) : value);
      q.caseInsensitive = true;  // query_string lowercases wildcard terms (analyze_wildcard)
      return q;
    }
    Query q = fieldQuery(Query::Kind::match, field, value);
    if (q.kind == Query::Kind::match && !q.fields.empty()) q.kind = Query::Kind::multiMatch;
    return q;
  }

  Query phrase(const std::string& field) {
    ++pos_;  // opening quote
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      value += text_[pos_++];
    }
    if (pos_ >= text_.size()) fail("unterminated quote");
    ++pos_;
    Query q = fieldQuery(Query::Kind::matchPhrase, field, value);
    if (!q.fields.empty()) {
      q.kind = Query::Kind::multiMatch;
      q.values = {nlohmann::json("phrase")};
    }
    return q;
  }

  nlohmann::json bound(const std::string& text) {
    if (text == "*") return nullptr;
    char* end = nullptr;
    const long long asInt = std::strtoll(text.c_str(), &end, 10);
    if (end && *end == '\0' && !text.empty()) return asInt;
    const double asDouble = std::strtod(text.c_str(), &end);
    if (end && *end == '\0' && !text.empty()) return asDouble;
    return text;
  }

  Query rangeClause(const std::string& field) {
    const bool lowInclusive = text_[pos_++] == '[';
    skipSpace();
    const std::string low = readTerm();
    if (!keyword("TO")) fail("expected 'TO' in a range");
    skipSpace();
    const std::string high = readTerm();
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != ']' && text_[pos_] != '}')) fail("expected ']' or '}'");
    const bool highInclusive = text_[pos_++] == ']';
    Query q;
    q.kind = Query::Kind::range;
    q.field = field;
    q.timeZone = options_.timeZone;
    if (auto b = bound(low); !b.is_null()) (lowInclusive ? q.gte : q.gt) = b;
    if (auto b = bound(high); !b.is_null()) (highInclusive ? q.lte : q.lt) = b;
    return q;
  }

  Query comparison(const std::string& field) {
    const char op = text_[pos_++];
    const bool inclusive = pos_ < text_.size() && text_[pos_] == '=';
    if (inclusive) ++pos_;
    const std::string value = readTerm();
    if (value.empty()) fail("expected a value after the comparison");
    Query q;
    q.kind = Query::Kind::range;
    q.field = field;
    q.timeZone = options_.timeZone;
    if (op == '>') (inclusive ? q.gte : q.gt) = bound(value);
    else (inclusive ? q.lte : q.lt) = bound(value);
    return q;
  }

  const std::string& text_;
  const Fields& defaults_;
  bool defaultAnd_;
  const QueryStringOptions& options_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

// A lone negation (boost -1 marker) becomes an ordinary bool with must_not.
void clearMarkers(Query& q) {
  if (q.kind == Query::Kind::boolean && q.boost == -1) q.boost = 1;
  for (auto* list : {&q.must, &q.filter, &q.should, &q.mustNot}) {
    for (auto& child : *list) clearMarkers(child);
  }
}

}  // namespace

Query parseQueryString(const std::string& text, const Fields& defaultFields, bool defaultAnd,
                       const QueryStringOptions& options) {
  Parser parser(text, defaultFields, defaultAnd, options);
  Query q = parser.parse();
  clearMarkers(q);
  return q;
}

}  // namespace orrery::data
