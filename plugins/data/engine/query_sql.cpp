#include "query_sql.hpp"

#include <cmath>
#include <functional>

#include "dates.hpp"
#include "engine.hpp"
#include "errors.hpp"
#include "sloppy_phrase.hpp"

namespace orrery::data {
namespace {

std::string ftsQuote(std::string_view token) {
  std::string out = "\"";
  for (char c : token) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  std::string out = buffer;
  if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
  return out;
}

// The least string greater than every string starting with `prefix` (nullopt: none).
std::optional<std::string> prefixUpperBound(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// An Elasticsearch wildcard pattern (`*`, `?`) as a GLOB pattern.
std::string toGlob(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == '*' || next == '?' || next == '[') out += std::string("[") + next + "]";
      else out += next;
    } else if (c == '[') {
      out += "[[]";
    } else {
      out += c;
    }
  }
  return out;
}

std::string lowerAscii(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A match query without a field (query_string's default field) as the multi_match
// over every text field it stands for; phrases stay phrases.
Query asMultiMatch(const Query& q) {
  Query multi = q;
  multi.kind = Query::Kind::multiMatch;
  if (q.kind != Query::Kind::match) multi.values = {nlohmann::json("phrase")};
  return multi;
}

}  // namespace

std::vector<std::string> analyzeText(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      current += static_cast<char>(std::tolower(c));
    } else if (!current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

int minimumShouldMatch(const std::string& msm, int optional) {
  if (msm.empty()) return 1;
  std::string text = msm;
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  int value = 0;
  try {
    value = std::stoi(text);
  } catch (...) {
    throw illegalArgument("Invalid minimum_should_match [" + msm + "]");
  }
  int result = 0;
  if (percent) {
    result = static_cast<int>(std::trunc(optional * value / 100.0));
    if (value < 0) result = optional + result;
  } else {
    result = value < 0 ? optional + value : value;
  }
  return std::max(0, std::min(result, optional));
}

std::optional<SqlValue> QueryCompiler::convert(const std::string& field, FieldType type, const nlohmann::json& value,
                                               bool lenient, bool roundUp, const TimeZone& zone) const {
  std::optional<SqlValue> out;
  if (type == FieldType::date && value.is_string()) {
    try {
      out = evaluateDateMath(value.get<std::string>(), now_, roundUp, zone);
    } catch (const EngineError&) {
      if (!lenient) throw;
    }
  } else {
    out = convertValue(type, value);
  }
  if (!out && !lenient) {
    const std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
    throw EngineError(400, "query_shard_exception",
                      "failed to create query: field [" + field + "] of type [" + std::string(toString(type)) +
                          "] cannot hold the value [" + shown + "]",
                      {{"index_uuid", "_na_"}});
  }
  return out;
}

SqlFragment columnCondition(const ShardField& f, const std::function<void(SqlFragment&, const std::string&)>& test) {
  SqlFragment out;
  const std::string col = "d.c" + std::to_string(f.column);
  if (!f.multi) {
    test(out, col);
    return out;
  }
  out.add("(");
  test(out, col);
  out.add(" OR d.seq IN (SELECT doc FROM mv WHERE col = " + std::to_string(f.column) + " AND ");
  test(out, "v");
  out.add("))");
  return out;
}

std::vector<std::pair<std::string, double>> QueryCompiler::expandFields(
    const std::vector<std::pair<std::string, double>>& fields, bool textAndKeywordOnly) const {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [pattern, boost] : fields) {
    if (pattern.find('*') == std::string::npos) {
      out.emplace_back(pattern, boost);
      continue;
    }
    for (const auto& [name, mapping] : mapping_.fields()) {
      if (!wildcardMatch(pattern, name)) continue;
      if (textAndKeywordOnly && mapping.type != FieldType::text && mapping.type != FieldType::keyword) continue;
      // `*` skips multi-fields: the parent field already answers for the same value.
      if (pattern == "*" && !mapping.parent.empty()) continue;
      out.emplace_back(name, boost);
    }
  }
  return out;
}

SqlFragment QueryCompiler::matchField(const Query& q, const std::string& field, bool phrase, bool prefixLast,
                                      bool forScore, double boost) {
  SqlFragment out;
  const FieldMapping* mapping = mapping_.find(field);
  const ShardField* f = shard_.field(field);
  if (!mapping || !f) return out.add(forScore ? "0" : "0");
  if (mapping->type != FieldType::text) {
    // Not analysed: the whole text is one term.
    auto value = convert(field, mapping->type, nlohmann::json(q.text), q.lenient);
    if (!value) return out.add("0");
    const int edits = q.fuzzy && mapping->type == FieldType::keyword ? q.fuzziness.editsFor(q.text) : 0;
    if (edits > 0) ensureFuzzyFunction(shard_.db());
    SqlFragment cond = columnCondition(*f, [&](SqlFragment& s, const std::string& col) {
      if (edits == 0) {
        s.add(col + " = ").param(*value);
        return;
      }
      // Every value within the distance (max_expansions does not cap keyword values).
      s.add("fuzzy_match(" + col + ", ").param(*value);
      s.add(", " + std::to_string(edits) + ", " + std::to_string(q.fuzziness.prefixLength) + ", " +
            (q.fuzziness.transpositions ? "1" : "0") + ")");
    });
    if (!forScore) return cond;
    return out.add("(CASE WHEN ").add(cond).add(" THEN " + number(boost) + " ELSE 0 END)");
  }
  auto tokens = analyzeText(q.text);
  if (tokens.empty()) {
    // zero_terms_query: none matches nothing, all matches every document (as match_all).
    if (!q.zeroTermsAll) return out.add("0");
    return out.add(forScore ? number(boost) : "1");
  }
  const std::string table = "t" + std::to_string(f->column);
  const auto text = ftsText(q, tokens, phrase, prefixLast, table);
  const auto& expression = text.expression;
  const int required = text.required;
  if (text.none) return out.add("0");
  if (forScore) {
    out.add("coalesce((SELECT -bm25(" + table + ") FROM " + table + " WHERE ")
        .add(ftsMatch(table, expression, text))
        .add(" AND rowid = d.seq), 0)");
    if (boost != 1.0) out.add(" * " + number(boost));
    return out;
  }
  if (required == 0) {
    return out.add("d.seq IN (SELECT rowid FROM " + table + " WHERE ").add(ftsMatch(table, expression, text)).add(")");
  }
  out.add("((");
  for (std::size_t i = 0; i < text.perTerm.size(); ++i) {
    if (i) out.add(" + ");
    out.add("(d.seq IN (SELECT rowid FROM " + table + " WHERE " + table + " MATCH ").param(text.perTerm[i]).add("))");
  }
  return out.add(") >= " + std::to_string(required) + ")");
}

SqlFragment QueryCompiler::where(const Query& q) {
  SqlFragment out;
  switch (q.kind) {
    case Query::Kind::matchAll: return out.add("1");
    case Query::Kind::matchNone: return out.add("0");
    case Query::Kind::ids: {
      if (q.values.empty()) return out.add("0");
      out.add("d.id IN (");
      for (std::size_t i = 0; i < q.values.size(); ++i) {
        if (i) out.add(", ");
        out.param(q.values[i].get<std::string>());
      }
      return out.add(")");
    }
    case Query::Kind::term:
    case Query::Kind::terms: {
      if (q.field == "_id") {
        Query ids = q;
        ids.kind = Query::Kind::ids;
        for (auto& v : ids.values) v = v.is_string() ? v : nlohmann::json(v.dump());
        return where(ids);
      }
      const FieldMapping* mapping = mapping_.find(q.field);
      const ShardField* f = shard_.field(q.field);
      if (!mapping || !f) return out.add("0");
      if (mapping->type == FieldType::text) {
        std::string expression;
        for (const auto& v : q.values) {
          if (!expression.empty()) expression += " OR ";
          expression += ftsQuote(v.is_string() ? v.get<std::string>() : v.dump());
        }
        if (expression.empty()) return out.add("0");
        const std::string table = "t" + std::to_string(f->column);
        return out.add("d.seq IN (SELECT rowid FROM " + table + " WHERE " + table + " MATCH ").param(expression).add(")");
      }
      std::vector<SqlValue> values;
      for (const auto& v : q.values) {
        if (auto converted = convert(q.field, mapping->type, v, q.lenient)) values.push_back(*converted);
      }
      if (values.empty()) return out.add("0");
      return columnCondition(*f, [&](SqlFragment& s, const std::string& col) {
        if (q.caseInsensitive && mapping->type == FieldType::keyword) {
          s.add("lower(" + col + ") IN (");
          for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) s.add(", ");
            s.param(lowerAscii(std::get<std::string>(values[i])));
          }
          s.add(")");
          return;
        }
        s.add(col + " IN (");
        for (std::size_t i = 0; i < values.size(); ++i) {
          if (i) s.add(", ");
          s.param(values[i]);
        }
        s.add(")");
      });
    }
    case Query::Kind::range: {
      const FieldMapping* mapping = mapping_.find(q.field);
      const ShardField* f = shard_.field(q.field);
      if (!mapping || !f || mapping->type == FieldType::text) return out.add("0");
      struct Bound { const char* op; SqlValue value; };
      std::vector<Bound> bounds;
      const auto add = [&](const std::optional<nlohmann::json>& v, const char* op, bool roundUp) {
        if (!v) return;
        auto converted = convert(q.field, mapping->type, *v, false, roundUp, q.timeZone);
        bounds.push_back({op, *converted});
      };
      add(q.gt, " > ", true);
      add(q.gte, " >= ", false);
      add(q.lt, " < ", false);
      add(q.lte, " <= ", true);
      if (bounds.empty()) {
        return columnCondition(*f, [&](SqlFragment& s, const std::string& col) { s.add(col + " IS NOT NULL"); });
      }
      return columnCondition(*f, [&](SqlFragment& s, const std::string& col) {
        s.add("(");
        for (std::size_t i = 0; i < bounds.size(); ++i) {
          if (i) s.add(" AND ");
          s.add(col + bounds[i].op).param(bounds[i].value);
        }
        s.add(")");
      });
    }
    case Query::Kind::exists: {
      if (q.field == "_id") return out.add("1");
      SqlFragment any;
      std::vector<std::string> names;
      for (const auto& [name, boost] : expandFields({{q.field, 1.0}}, false)) names.push_back(name);
      for (const auto& [name, mapping] : mapping_.fields()) {  // an object path: any field below it
        if (name.starts_with(q.field + ".") && mapping.parent.empty()) names.push_back(name);
      }
      for (const auto& name : names) {
        const ShardField* f = shard_.field(name);
        if (!f) continue;
        if (!any.sql.empty()) any.add(" OR ");
        if (f->mapping.type == FieldType::text) {
          any.add("d.seq IN (SELECT rowid FROM t" + std::to_string(f->column) + ")");
        } else {
          any.add(columnCondition(*f, [](SqlFragment& s, const std::string& col) { s.add(col + " IS NOT NULL"); }));
        }
      }
      if (any.sql.empty()) return out.add("0");
      return out.add("(").add(any).add(")");
    }
    case Query::Kind::prefix:
    case Query::Kind::wildcard: {
      std::vector<std::pair<std::string, double>> fields =
          q.field.empty() ? expandFields(q.fields, true) : std::vector<std::pair<std::string, double>>{{q.field, 1.0}};
      SqlFragment any;
      for (const auto& [name, boost] : fields) {
        const FieldMapping* mapping = mapping_.find(name);
        const ShardField* f = shard_.field(name);
        if (!mapping || !f) continue;
        if (!any.sql.empty()) any.add(" OR ");
        const std::string pattern = q.kind == Query::Kind::prefix ? toGlob(q.text) + "*" : toGlob(q.text);
        if (mapping->type == FieldType::text) {
          // Terms of the field's inverted index (fts5vocab) that match the pattern.
          any.add("d.seq IN (SELECT doc FROM v" + std::to_string(f->column) + " WHERE term GLOB ")
              .param(lowerAscii(pattern))
              .add(")");
        } else if (mapping->type == FieldType::keyword) {
          if (q.caseInsensitive) {
            any.add(columnCondition(*f, [&](SqlFragment& s, const std::string& col) {
              s.add("lower(" + col + ") GLOB ").param(lowerAscii(pattern));
            }));
          } else if (q.kind == Query::Kind::prefix) {
            auto upper = prefixUpperBound(q.text);
            any.add(columnCondition(*f, [&](SqlFragment& s, const std::string& col) {
              s.add("(" + col + " >= ").param(q.text);
              if (upper) s.add(" AND " + col + " < ").param(*upper);
              s.add(")");
            }));
          } else {
            any.add(columnCondition(*f, [&](SqlFragment& s, const std::string& col) { s.add(col + " GLOB ").param(pattern); }));
          }
        } else {
          any.add("0");
        }
      }
      if (any.sql.empty()) return out.add("0");
      return out.add("(").add(any).add(")");
    }
    case Query::Kind::match:
    case Query::Kind::matchPhrase:
    case Query::Kind::matchPhrasePrefix:
      if (q.field.empty()) {
        return where(asMultiMatch(q));
      }
      return matchField(q, q.field, q.kind != Query::Kind::match, q.kind == Query::Kind::matchPhrasePrefix, false, 1);
    case Query::Kind::multiMatch: {
      const bool phrase = !q.values.empty() && q.values.front() == "phrase";
      if (q.crossFields && !phrase) return crossFieldsWhere(q);
      const auto fields = expandFields(q.fields, true);
      if (fields.empty()) return out.add("0");
      Query lenient = q;
      if (q.fields.size() != 1 || q.fields.front().first.find('*') != std::string::npos) lenient.lenient = true;
      out.add("(");
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out.add(" OR ");
        out.add(matchField(lenient, fields[i].first, phrase, false, false, 1));
      }
      return out.add(")");
    }
    case Query::Kind::constantScore: return where(q.filter.front());
    case Query::Kind::boolean: {
      std::vector<SqlFragment> parts;
      for (const auto* list : {&q.must, &q.filter}) {
        for (const auto& clause : *list) parts.push_back(where(clause));
      }
      for (const auto& clause : q.mustNot) {
        SqlFragment neg;
        neg.add("NOT (").add(where(clause)).add(")");
        parts.push_back(std::move(neg));
      }
      if (!q.should.empty()) {
        const int optional = static_cast<int>(q.should.size());
        int required = 0;
        if (!q.minimumShouldMatch.empty()) required = minimumShouldMatch(q.minimumShouldMatch, optional);
        else required = (q.must.empty() && q.filter.empty()) ? 1 : 0;
        if (required == 1) {
          SqlFragment any;
          any.add("(");
          for (std::size_t i = 0; i < q.should.size(); ++i) {
            if (i) any.add(" OR ");
            any.add(where(q.should[i]));
          }
          parts.push_back(std::move(any.add(")")));
        } else if (required > 1) {
          SqlFragment count;
          count.add("((");
          for (std::size_t i = 0; i < q.should.size(); ++i) {
            if (i) count.add(" + ");
            count.add("(").add(where(q.should[i])).add(")");
          }
          parts.push_back(std::move(count.add(") >= " + std::to_string(required) + ")")));
        }
      }
      if (parts.empty()) return out.add("1");
      out.add("(");
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out.add(" AND ");
        out.add(parts[i]);
      }
      return out.add(")");
    }
  }
  return out.add("0");
}

QueryCompiler::FtsText QueryCompiler::ftsText(const Query& q, const std::vector<std::string>& tokens, bool phrase,
                                               bool prefixLast, const std::string& table) const {
  FtsText out;
  if (phrase) return phraseText(q, tokens, prefixLast, table);
  for (const auto& t : tokens) {
    if (!q.fuzzy) {
      out.perTerm.push_back(ftsQuote(t));
      continue;
    }
    const auto& f = q.fuzziness;
    std::string key = table;
    for (int part : {f.editsFor(t), f.prefixLength, f.maxExpansions, int(f.transpositions)}) {
      key.append("/").append(std::to_string(part));
    }
    key.append("/").append(t);
    auto [cached, fresh] = spellings_.try_emplace(key);
    if (fresh) cached->second = fuzzyTerms(shard_.db(), table, t, q.fuzziness);
    const auto& spellings = cached->second;
    if (spellings.size() <= 1) {
      out.perTerm.push_back(ftsQuote(spellings.empty() ? t : spellings.front()));
      continue;
    }
    std::string any = "(";
    for (std::size_t i = 0; i < spellings.size(); ++i) any.append(i ? " OR " : "").append(ftsQuote(spellings[i]));
    out.perTerm.push_back(any + ")");
  }
  const int optional = static_cast<int>(tokens.size());
  const int required = q.operatorAnd ? optional : minimumShouldMatch(q.minimumShouldMatch, optional);
  for (const auto& term : out.perTerm) {
    out.expression.append(out.expression.empty() ? "" : required >= optional ? " AND " : " OR ").append(term);
  }
  if (required > 1 && required < optional) out.required = required;  // else plain OR / AND
  return out;
}

SqlFragment QueryCompiler::blendScores(const std::vector<SqlFragment>& scores, bool sum, double tieBreaker) {
  SqlFragment out;
  if (scores.empty()) return out.add("0");
  if (scores.size() == 1) return scores.front();
  SqlFragment total;
  total.add("(");
  for (std::size_t i = 0; i < scores.size(); ++i) total.add(i ? " + " : "").add(scores[i]);
  total.add(")");
  if (sum) return total;
  SqlFragment best;
  best.add("max(");
  for (std::size_t i = 0; i < scores.size(); ++i) best.add(i ? ", " : "").add(scores[i]);
  best.add(")");
  if (tieBreaker == 0) return best;
  return out.add("(").add(best).add(" + " + number(tieBreaker) + " * (").add(total).add(" - ").add(best).add("))");
}

QueryCompiler::FtsText QueryCompiler::phraseText(const Query& q, const std::vector<std::string>& tokens,
                                                 bool prefixLast, const std::string& table) const {
  FtsText out;
  // The phrase, or with a prefix last term one phrase per expansion of it (at most
  // max_expansions, in term order, as Lucene's MultiPhrasePrefixQuery takes them).
  std::vector<std::vector<std::string>> groups;
  if (prefixLast) {
    const std::string key = table + "/prefix/" + std::to_string(q.fuzziness.maxExpansions) + "/" + tokens.back();
    auto [cached, fresh] = spellings_.try_emplace(key);
    if (fresh) cached->second = prefixTerms(shard_.db(), table, tokens.back(), q.fuzziness.maxExpansions);
    for (const auto& expansion : cached->second) {
      groups.push_back(tokens);
      groups.back().back() = expansion;
    }
    if (groups.empty()) out.none = true;
  } else {
    groups.push_back(tokens);
  }
  // Within `slop`, Lucene lets terms move (a swap of neighbours costs 2): NEAR finds the
  // candidates in any order, sloppy_phrase keeps those Lucene would.
  const bool sloppy = q.slop > 0 && tokens.size() > 1;
  for (const auto& group : groups) {
    out.expression.append(out.expression.empty() ? "" : " OR ");
    if (!sloppy) {
      std::string joined;
      for (const auto& t : group) joined.append(joined.empty() ? "" : " ").append(t);
      out.expression += ftsQuote(joined);
      continue;
    }
    out.expression += "NEAR(";
    for (std::size_t i = 0; i < group.size(); ++i) {
      out.expression.append(i ? " " : "").append(ftsQuote(group[i]));
      out.sloppyTerms.append(out.sloppyTerms.empty() ? "" : " ").append(group[i]);
    }
    out.expression.append(", ").append(std::to_string(q.slop)).append(")");
  }
  if (sloppy) {
    out.groupLength = static_cast<int>(tokens.size());
    out.slop = q.slop;
  }
  return out;
}

SqlFragment QueryCompiler::ftsMatch(const std::string& table, const std::string& expression, const FtsText& text) {
  SqlFragment out;
  out.add(table + " MATCH ").param(expression);
  if (text.groupLength == 0) return out;
  out.add(std::string(" AND ") + kSloppyPhraseFunction + "(" + table + ", " + std::to_string(text.slop) + ", " +
          std::to_string(text.groupLength) + ", ");
  return out.param(text.sloppyTerms).add(")");
}

std::optional<QueryCompiler::FtsDriver> QueryCompiler::ftsDriver(const Query& q) const {
  if (q.kind != Query::Kind::match && q.kind != Query::Kind::matchPhrase) return std::nullopt;
  if (q.field.empty() || q.boost != 1.0) return std::nullopt;
  const FieldMapping* mapping = mapping_.find(q.field);
  const ShardField* f = shard_.field(q.field);
  if (!mapping || !f || mapping->type != FieldType::text) return std::nullopt;
  const auto tokens = analyzeText(q.text);
  if (tokens.empty()) return std::nullopt;
  const std::string table = "t" + std::to_string(f->column);
  const auto text = ftsText(q, tokens, q.kind == Query::Kind::matchPhrase, false, table);
  if (text.required != 0) return std::nullopt;  // counted per term: the general path
  if (text.groupLength != 0) return std::nullopt;  // a sloppy phrase: checked row by row
  const auto& expression = text.expression;
  return FtsDriver{table, expression};
}

SqlFragment QueryCompiler::guarded(const Query& q) {
  SqlFragment out;
  out.add("(CASE WHEN ").add(where(q)).add(" THEN ").add(score(q)).add(" ELSE 0 END)");
  return out;
}

SqlFragment QueryCompiler::score(const Query& q) {
  SqlFragment out;
  switch (q.kind) {
    case Query::Kind::match:
    case Query::Kind::matchPhrase:
    case Query::Kind::matchPhrasePrefix:
      if (q.field.empty()) {
        return score(asMultiMatch(q));
      }
      return matchField(q, q.field, q.kind != Query::Kind::match, q.kind == Query::Kind::matchPhrasePrefix, true,
                        q.boost);
    case Query::Kind::multiMatch: {
      const bool phrase = !q.values.empty() && q.values.front() == "phrase";
      if (q.crossFields && !phrase) return crossFieldsScore(q);
      const auto fields = expandFields(q.fields, true);
      if (fields.empty()) return out.add("0");
      Query lenient = q;
      lenient.lenient = true;
      std::vector<SqlFragment> scores;
      for (const auto& [field, weight] : fields) {
        scores.push_back(matchField(lenient, field, phrase, false, true, q.boost * weight));
      }
      return blendScores(scores, q.mostFields, q.tieBreaker);
    }
    case Query::Kind::boolean: {
      bool any = false;
      out.add("(");
      for (const auto& clause : q.must) {
        if (any) out.add(" + ");
        out.add(score(clause));
        any = true;
      }
      for (const auto& clause : q.should) {
        if (any) out.add(" + ");
        out.add(guarded(clause));
        any = true;
      }
      if (!any) out.add("0");
      out.add(")");
      if (q.boost != 1.0) out.add(" * " + number(q.boost));
      return out;
    }
    case Query::Kind::matchNone: return out.add("0");
    default: break;
  }
  return out.add(number(q.boost));
}

}  // namespace orrery::data
