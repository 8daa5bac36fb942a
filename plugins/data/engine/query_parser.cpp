// The query DSL parser: JSON → Query, with Elasticsearch's parsing_exception messages.
#include <cmath>

#include "errors.hpp"
#include "query.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

std::string typeName(const json& v) { return jsonTokenName(v); }

EngineError unsupported(const std::string& query, const std::string& key) {
  return parsingError("[" + query + "] query does not support [" + key + "]");
}

double readBoost(const std::string& query, const json& v) {
  if (!v.is_number()) throw parsingError("[" + query + "] query: [boost] must be a number");
  return v.get<double>();
}

std::string readString(const std::string& query, const std::string& key, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw parsingError("[" + query + "] query: [" + key + "] must be a string, found [" + typeName(v) + "]");
}

std::string readMsm(const std::string& query, const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_string()) return v.get<std::string>();
  throw parsingError("[" + query + "] query: [minimum_should_match] must be an integer or a string");
}

bool readBool(const std::string& query, const std::string& key, const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v == "true") return true;
  if (v == "false") return false;
  throw parsingError("[" + query + "] query: [" + key + "] must be true or false");
}

int readCount(const std::string& query, const std::string& key, const json& v, int min) {
  if (v.is_number_integer() && v.get<std::int64_t>() >= min && v.get<std::int64_t>() <= 1'000'000) return v.get<int>();
  if (v.is_string()) {
    try {
      std::size_t end = 0;
      const auto text = v.get<std::string>();
      const int n = std::stoi(text, &end);
      if (end == text.size() && n >= min) return n;
    } catch (const std::exception&) {
    }
  }
  throw parsingError("[" + query + "] query: [" + key + "] must be a whole number of at least " + std::to_string(min) +
                     ", found [" + (v.is_string() ? v.get<std::string>() : v.dump()) + "]");
}

// Only the standard analyzer exists here; naming it is fine, naming another is refused
// rather than silently analysing differently from what was asked.
void checkAnalyzer(const std::string& query, const json& v) {
  const auto name = readString(query, "analyzer", v);
  if (name != "standard" && name != "default") {
    throw illegalArgument("[" + query + "] analyzer [" + name +
                          "] is not available: the embedded engine analyses text with the [standard] analyzer only");
  }
}

bool readZeroTermsAll(const std::string& query, const json& v) {
  const auto mode = readString(query, "zero_terms_query", v);
  if (mode == "all" || mode == "ALL") return true;
  if (mode == "none" || mode == "NONE") return false;
  throw illegalArgument("[" + query + "] query: [zero_terms_query] must be none or all, found [" + mode + "]");
}

// The options of fuzzy matching (match, multi_match); false if `key` is not one of them.
bool readFuzzyOption(const std::string& query, const std::string& key, const json& v, Query& q) {
  if (key == "fuzziness") {
    q.fuzziness = [&] {
      auto parsed = parseFuzziness(query, v.is_string() ? v.get<std::string>() : v.dump());
      parsed.prefixLength = q.fuzziness.prefixLength;
      parsed.maxExpansions = q.fuzziness.maxExpansions;
      parsed.transpositions = q.fuzziness.transpositions;
      return parsed;
    }();
    q.fuzzy = true;
  } else if (key == "prefix_length") {
    q.fuzziness.prefixLength = readCount(query, key, v, 0);
  } else if (key == "max_expansions") {
    q.fuzziness.maxExpansions = readCount(query, key, v, 1);
  } else if (key == "fuzzy_transpositions") {
    q.fuzziness.transpositions = readBool(query, key, v);
  } else if (key == "fuzzy_rewrite") {
    readString(query, key, v);  // how Lucene rewrites the expansion; scores here are bm25 over all of them
  } else {
    return false;
  }
  return true;
}

// `{"field": value}` or `{"field": {"value": ..., options}}`, the shape of term-level and
// full-text queries. Returns the field and the inner object (or the bare value).
std::pair<std::string, const json*> singleField(const std::string& query, const json& body) {
  if (!body.is_object()) {
    throw parsingError("[" + query + "] query malformed, no start_object after query name");
  }
  const json* inner = nullptr;
  std::string field;
  for (const auto& [key, value] : body.items()) {
    if (key == "boost" || key == "_name") continue;
    if (inner) {
      throw parsingError("[" + query + "] query doesn't support multiple fields, found [" + field + "] and [" + key + "]");
    }
    field = key;
    inner = &value;
  }
  if (!inner) throw parsingError("[" + query + "] query malformed, no field name found");
  return {field, inner};
}

// How deep the query being parsed is (the top-level query is 1) and how deep it may go.
struct Nesting {
  int depth;
  int limit;
};

Query parseAt(const json& body, Nesting nesting);

std::vector<Query> clauses(const std::string& name, const json& value, Nesting nesting) {
  std::vector<Query> out;
  if (value.is_array()) {
    for (const auto& item : value) out.push_back(parseAt(item, nesting));
  } else if (value.is_object()) {
    out.push_back(parseAt(value, nesting));
  } else {
    throw parsingError("[bool] query: [" + name + "] must be an object or an array of queries");
  }
  return out;
}

// `nesting`: where the bool's clauses are.
Query parseBool(const json& body, Nesting nesting) {
  if (!body.is_object()) throw parsingError("[bool] query malformed, no start_object after query name");
  Query q;
  q.kind = Query::Kind::boolean;
  for (const auto& [key, value] : body.items()) {
    if (key == "must") q.must = clauses(key, value, nesting);
    else if (key == "filter") q.filter = clauses(key, value, nesting);
    else if (key == "should") q.should = clauses(key, value, nesting);
    else if (key == "must_not" || key == "mustNot") q.mustNot = clauses(key, value, nesting);
    else if (key == "minimum_should_match") q.minimumShouldMatch = readMsm("bool", value);
    else if (key == "boost") q.boost = readBoost("bool", value);
    else if (key == "_name" || key == "adjust_pure_negative") continue;
    else throw unsupported("bool", key);
  }
  return q;
}

Query parseFullText(Query::Kind kind, const std::string& name, const json& body) {
  auto [field, inner] = singleField(name, body);
  Query q;
  q.kind = kind;
  q.field = field;
  if (!inner->is_object()) {
    q.text = readString(name, "query", *inner);
    return q;
  }
  bool sawQuery = false;
  for (const auto& [key, value] : inner->items()) {
    if (key == "query") {
      q.text = readString(name, key, value);
      sawQuery = true;
    } else if (key == "operator" && kind == Query::Kind::match) {
      const auto op = readString(name, key, value);
      if (op == "and" || op == "AND") q.operatorAnd = true;
      else if (op != "or" && op != "OR") throw illegalArgument("No enum constant for operator [" + op + "]");
    } else if (key == "minimum_should_match" && kind == Query::Kind::match) {
      q.minimumShouldMatch = readMsm(name, value);
    } else if (key == "boost") {
      q.boost = readBoost(name, value);
    } else if (key == "lenient") {
      q.lenient = readBool(name, key, value);
    } else if (key == "analyzer") {
      checkAnalyzer(name, value);
    } else if (key == "zero_terms_query") {
      q.zeroTermsAll = readZeroTermsAll(name, value);
    } else if (key == "slop" && kind != Query::Kind::match) {
      q.slop = readCount(name, key, value, 0);
    } else if (kind == Query::Kind::match && readFuzzyOption(name, key, value, q)) {
      continue;
    } else if (key == "max_expansions" && kind == Query::Kind::matchPhrasePrefix) {
      // How many terms the last one expands to (0 still takes one, as Lucene does).
      q.fuzziness.maxExpansions = readCount(name, key, value, 0);
    } else if (key == "_name" || key == "auto_generate_synonyms_phrase_query") {
      // No synonyms exist here, so generating synonym phrases changes nothing.
      continue;
    } else {
      throw unsupported(name, key);
    }
  }
  if (!sawQuery) throw parsingError("No text specified for text query");
  return q;
}

Query parseTermLevel(Query::Kind kind, const std::string& name, const json& body, const char* valueKey) {
  // Not structured bindings: clang 14 (the fuzz build) cannot capture those in a lambda.
  const auto single = singleField(name, body);
  const auto& field = single.first;
  const auto& inner = single.second;
  Query q;
  q.kind = kind;
  q.field = field;
  const auto setValue = [&](const json& v) {
    if (v.is_object() || v.is_array() || v.is_null()) {
      throw parsingError("[" + name + "] query does not support array of values or objects for [" + field + "]");
    }
    if (kind == Query::Kind::term) q.values = {v};
    else q.text = readString(name, valueKey, v);
  };
  if (!inner->is_object()) {
    setValue(*inner);
    return q;
  }
  bool sawValue = false;
  for (const auto& [key, value] : inner->items()) {
    if (key == valueKey || (kind == Query::Kind::wildcard && key == "wildcard")) {
      setValue(value);
      sawValue = true;
    } else if (key == "boost") {
      q.boost = readBoost(name, value);
    } else if (key == "case_insensitive") {
      q.caseInsensitive = readBool(name, key, value);
    } else if (key == "_name" || key == "rewrite") {
      continue;
    } else {
      throw unsupported(name, key);
    }
  }
  if (!sawValue) throw parsingError("[" + name + "] query requires a [" + valueKey + "] for field [" + field + "]");
  return q;
}

Query parseRange(const json& body) {
  auto [field, inner] = singleField("range", body);
  if (!inner->is_object()) throw parsingError("[range] query malformed, no start_object after field name");
  Query q;
  q.kind = Query::Kind::range;
  q.field = field;
  for (const auto& [key, value] : inner->items()) {
    if (value.is_object() || value.is_array()) throw parsingError("[range] query: [" + key + "] must be a value");
    if (key == "gt") q.gt = value;
    else if (key == "gte" || key == "from") q.gte = value;
    else if (key == "lt") q.lt = value;
    else if (key == "lte" || key == "to") q.lte = value;
    else if (key == "boost") q.boost = readBoost("range", value);
    else if (key == "time_zone") q.timeZone = TimeZone::parse(readString("range", key, value));
    else if (key == "format" || key == "relation" || key == "_name") continue;
    else throw parsingError("[range] query does not support [" + key + "]");
    if (value.is_null()) {
      if (key == "gt") q.gt.reset();
      if (key == "gte" || key == "from") q.gte.reset();
      if (key == "lt") q.lt.reset();
      if (key == "lte" || key == "to") q.lte.reset();
    }
  }
  return q;
}

std::vector<std::pair<std::string, double>> parseFields(const std::string& name, const json& value) {
  if (!value.is_array()) throw parsingError("[" + name + "] query: [fields] must be an array of strings");
  std::vector<std::pair<std::string, double>> out;
  for (const auto& item : value) {
    if (!item.is_string()) throw parsingError("[" + name + "] query: [fields] must be an array of strings");
    std::string field = item.get<std::string>();
    double boost = 1.0;
    if (auto caret = field.find('^'); caret != std::string::npos) {
      try {
        boost = std::stod(field.substr(caret + 1));
      } catch (...) {
        throw parsingError("[" + name + "] query: bad boost in field [" + field + "]");
      }
      field = field.substr(0, caret);
    }
    out.emplace_back(field, boost);
  }
  return out;
}

Query parseMultiMatch(const json& body) {
  if (!body.is_object()) throw parsingError("[multi_match] query malformed, no start_object after query name");
  Query q;
  q.kind = Query::Kind::multiMatch;
  bool sawQuery = false;
  for (const auto& [key, value] : body.items()) {
    if (key == "query") {
      q.text = readString("multi_match", key, value);
      sawQuery = true;
    } else if (key == "fields") {
      q.fields = parseFields("multi_match", value);
    } else if (key == "operator") {
      const auto op = readString("multi_match", key, value);
      q.operatorAnd = op == "and" || op == "AND";
    } else if (key == "minimum_should_match") {
      q.minimumShouldMatch = readMsm("multi_match", value);
    } else if (key == "type") {
      const auto type = readString("multi_match", key, value);
      if (type == "phrase") q.values = {json("phrase")};
      q.mostFields = type == "most_fields";
      q.crossFields = type == "cross_fields";
      if (type != "phrase" && type != "best_fields" && type != "most_fields" && type != "cross_fields") {
        throw parsingError("[multi_match] query does not support type " + type);
      }
    } else if (key == "boost") {
      q.boost = readBoost("multi_match", value);
    } else if (key == "lenient") {
      q.lenient = readBool("multi_match", key, value);
    } else if (key == "tie_breaker") {
      if (!value.is_number()) throw parsingError("[multi_match] query: [tie_breaker] must be a number");
      q.tieBreaker = value.get<double>();
    } else if (key == "analyzer") {
      checkAnalyzer("multi_match", value);
    } else if (key == "zero_terms_query") {
      q.zeroTermsAll = readZeroTermsAll("multi_match", value);
    } else if (key == "slop") {
      q.slop = readCount("multi_match", key, value, 0);
    } else if (readFuzzyOption("multi_match", key, value, q)) {
      continue;
    } else if (key == "_name" || key == "auto_generate_synonyms_phrase_query") {
      continue;
    } else {
      throw unsupported("multi_match", key);
    }
  }
  const bool phrase = !q.values.empty() && q.values.front() == "phrase";
  if (q.fuzzy && phrase) throw illegalArgument("Fuzziness not allowed for type [phrase]");
  if (!sawQuery) throw parsingError("[multi_match] requires query value");
  if (q.fields.empty()) q.fields = {{"*", 1.0}};
  return q;
}

// `levelsLeft`: how many levels the query's syntax may nest to (parentheses, negations).
Query parseStringQuery(const std::string& name, const json& body, int levelsLeft) {
  if (!body.is_object()) throw parsingError("[" + name + "] query malformed, no start_object after query name");
  const bool simple = name == "simple_query_string";
  std::string text;
  bool sawQuery = false;
  std::vector<std::pair<std::string, double>> fields;
  bool defaultAnd = false;
  double boost = 1.0;
  QueryStringOptions options;
  options.maxDepth = levelsLeft;
  unsigned flags = kSimpleAll;
  for (const auto& [key, value] : body.items()) {
    if (key == "query") {
      text = readString(name, key, value);
      sawQuery = true;
    } else if (key == "default_field") {
      fields = {{readString(name, key, value), 1.0}};
    } else if (key == "fields") {
      fields = parseFields(name, value);
    } else if (key == "default_operator") {
      const auto op = readString(name, key, value);
      defaultAnd = op == "and" || op == "AND";
    } else if (key == "boost") {
      boost = readBoost(name, value);
    } else if (key == "time_zone" && !simple) {
      options.timeZone = TimeZone::parse(readString(name, key, value));
    } else if (key == "allow_leading_wildcard" && !simple) {
      options.allowLeadingWildcard = readBool(name, key, value);
    } else if (key == "flags" && simple) {
      flags = parseSimpleQueryFlags(value);
    } else if (key == "analyze_wildcard" || key == "lenient" || key == "analyzer" || key == "_name") {
      continue;
    } else {
      throw unsupported(name, key);
    }
  }
  if (!sawQuery) throw parsingError("[" + name + "] must be provided with a [query]");
  if (fields.empty()) fields = {{"*", 1.0}};
  Query q = simple ? parseSimpleQueryString(text, fields, defaultAnd, flags, levelsLeft)
                   : parseQueryString(text, fields, defaultAnd, options);
  q.boost *= boost;
  return q;
}

Query parseAt(const json& body, Nesting nesting) {
  // Elasticsearch counts every query object, leaves included, before parsing its body.
  if (nesting.depth > nesting.limit) throw queryTooDeep();
  const Nesting children{nesting.depth + 1, nesting.limit};
  if (!body.is_object()) {
    throw parsingError("[_na] query malformed, must start with start_object");
  }
  if (body.empty()) throw parsingError("query malformed, empty clause found");
  if (body.size() > 1) {
    auto it = body.begin();
    const std::string first = it.key();
    ++it;
    throw parsingError("[" + first + "] malformed query, expected [END_OBJECT] but found [FIELD_NAME]");
  }
  const std::string name = body.begin().key();
  const json& inner = body.begin().value();
  if (name == "match_all" || name == "match_none") {
    if (!inner.is_object()) throw parsingError("[" + name + "] query malformed, no start_object after query name");
    Query q;
    q.kind = name == "match_all" ? Query::Kind::matchAll : Query::Kind::matchNone;
    for (const auto& [key, value] : inner.items()) {
      if (key == "boost") q.boost = readBoost(name, value);
      else if (key != "_name") throw unsupported(name, key);
    }
    return q;
  }
  if (name == "match") return parseFullText(Query::Kind::match, name, inner);
  if (name == "match_phrase") return parseFullText(Query::Kind::matchPhrase, name, inner);
  if (name == "match_phrase_prefix") return parseFullText(Query::Kind::matchPhrasePrefix, name, inner);
  if (name == "multi_match") return parseMultiMatch(inner);
  if (name == "term") return parseTermLevel(Query::Kind::term, name, inner, "value");
  if (name == "prefix") return parseTermLevel(Query::Kind::prefix, name, inner, "value");
  if (name == "wildcard") return parseTermLevel(Query::Kind::wildcard, name, inner, "value");
  if (name == "range") return parseRange(inner);
  if (name == "bool") return parseBool(inner, children);
  // Their syntax nests as bool queries do, within the levels left.
  if (name == "query_string" || name == "simple_query_string") {
    return parseStringQuery(name, inner, nesting.limit - nesting.depth);
  }
  if (name == "terms") {
    if (!inner.is_object()) throw parsingError("[terms] query malformed, no start_object after query name");
    Query q;
    q.kind = Query::Kind::terms;
    bool sawField = false;
    for (const auto& [key, value] : inner.items()) {
      if (key == "boost") {
        q.boost = readBoost(name, value);
      } else if (key == "_name") {
        continue;
      } else {
        if (sawField) throw parsingError("[terms] query does not support multiple fields");
        if (!value.is_array()) throw parsingError("[terms] query does not support [" + key + "]");
        for (const auto& v : value) {
          if (v.is_object() || v.is_array() || v.is_null()) throw parsingError("[terms] query: values must be scalars");
          q.values.push_back(v);
        }
        q.field = key;
        sawField = true;
      }
    }
    if (!sawField) throw parsingError("[terms] query requires a field");
    return q;
  }
  if (name == "exists") {
    if (!inner.is_object()) throw parsingError("[exists] query malformed, no start_object after query name");
    Query q;
    q.kind = Query::Kind::exists;
    for (const auto& [key, value] : inner.items()) {
      if (key == "field") q.field = readString(name, key, value);
      else if (key == "boost") q.boost = readBoost(name, value);
      else if (key != "_name") throw unsupported(name, key);
    }
    if (q.field.empty()) throw parsingError("[exists] must be provided with a [field]");
    return q;
  }
  if (name == "ids") {
    if (!inner.is_object()) throw parsingError("[ids] query malformed, no start_object after query name");
    Query q;
    q.kind = Query::Kind::ids;
    for (const auto& [key, value] : inner.items()) {
      if (key == "values") {
        if (!value.is_array()) throw parsingError("[ids] query: [values] must be an array");
        for (const auto& v : value) q.values.push_back(json(readString(name, key, v)));
      } else if (key == "boost") {
        q.boost = readBoost(name, value);
      } else if (key != "_name") {
        throw unsupported(name, key);
      }
    }
    return q;
  }
  if (name == "constant_score") {
    if (!inner.is_object()) throw parsingError("[constant_score] query malformed, no start_object after query name");
    Query q;
    q.kind = Query::Kind::constantScore;
    bool sawFilter = false;
    for (const auto& [key, value] : inner.items()) {
      if (key == "filter") {
        q.filter = {parseAt(value, children)};
        sawFilter = true;
      } else if (key == "boost") {
        q.boost = readBoost(name, value);
      } else if (key != "_name") {
        throw unsupported(name, key);
      }
    }
    if (!sawFilter) throw parsingError("[constant_score] requires a 'filter' element");
    return q;
  }
  throw parsingError("unknown query [" + name + "]");
}

}  // namespace

Query parseQuery(const json& body, int maxDepth) { return parseAt(body, Nesting{1, maxDepth}); }

}  // namespace orrery::data
