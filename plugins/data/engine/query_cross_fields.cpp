// multi_match of type cross_fields, term-centric as Elasticsearch runs it: the text fields
// act as one field, so each analysed term must be found in at least one of them (operator
// and: every term; minimum_should_match: that many terms), not all terms in one field.
// Fields whose analysis differs — here keyword and other exact-value fields — form their
// own group, where the whole text is the one term; the groups are combined as best_fields.
//
// Score: per term, the best of its fields' scores plus tie_breaker times the others, summed
// over the terms (Lucene's BlendedTermQuery.dismaxBlendedQuery per term, then a bool sum).
// Approximation: Lucene first blends the term's statistics across the fields — every
// field scores the term with the largest document frequency among them (and the summed
// total term frequency) — so a term rare in one field and common in another is not
// rewarded for the rare field. Here each field's bm25 uses that field's own document
// frequency (FTS5 keeps statistics per table), so such a term scores higher than in
// Elasticsearch; which documents match is the same.
#include "query_sql.hpp"

namespace orrery::data {
namespace {

// The query for one analysed term (its fuzziness kept).
Query oneTerm(const Query& q, const std::string& term) {
  Query one = q;
  one.kind = Query::Kind::match;
  one.text = term;
  one.operatorAnd = false;
  one.minimumShouldMatch.clear();
  one.lenient = true;
  return one;
}

using Fields = std::vector<std::pair<std::string, double>>;

// Text fields (one group, term-centric) and the others (the whole text is their term).
std::pair<Fields, Fields> splitByAnalysis(const Mapping& mapping, const Fields& fields) {
  std::pair<Fields, Fields> out;
  for (const auto& field : fields) {
    const FieldMapping* m = mapping.find(field.first);
    (m && m->type == FieldType::text ? out.first : out.second).push_back(field);
  }
  return out;
}

}  // namespace

SqlFragment QueryCompiler::crossFieldsWhere(const Query& q) {
  SqlFragment out;
  const auto [text, exact] = splitByAnalysis(mapping_, expandFields(q.fields, true));
  Query lenient = q;
  lenient.lenient = true;
  std::vector<SqlFragment> groups;
  const auto tokens = analyzeText(q.text);
  if (!text.empty() && tokens.empty() && q.zeroTermsAll) groups.push_back(SqlFragment{}.add("1"));
  if (!text.empty() && !tokens.empty()) {
    std::vector<SqlFragment> perTerm;
    for (const auto& token : tokens) {
      SqlFragment any;
      any.add("(");
      for (std::size_t i = 0; i < text.size(); ++i) {
        any.add(i ? " OR " : "").add(matchField(oneTerm(q, token), text[i].first, false, false, false, 1));
      }
      perTerm.push_back(std::move(any.add(")")));
    }
    const int optional = static_cast<int>(tokens.size());
    // A pure disjunction needs at least one term whatever minimum_should_match says.
    const int required = std::max(1, q.operatorAnd ? optional : minimumShouldMatch(q.minimumShouldMatch, optional));
    SqlFragment group;
    group.add("(");
    for (std::size_t i = 0; i < perTerm.size(); ++i) {
      if (i) group.add(required == 1 ? " OR " : required >= optional ? " AND " : " + ");
      group.add(perTerm[i]);
    }
    group.add(")");
    if (required > 1 && required < optional) group.add(" >= " + std::to_string(required));
    groups.push_back(std::move(group));
  }
  for (const auto& field : exact) groups.push_back(matchField(lenient, field.first, false, false, false, 1));
  if (groups.empty()) return out.add("0");
  out.add("(");
  for (std::size_t i = 0; i < groups.size(); ++i) out.add(i ? " OR " : "").add(groups[i]);
  return out.add(")");
}

SqlFragment QueryCompiler::crossFieldsScore(const Query& q) {
  const auto [text, exact] = splitByAnalysis(mapping_, expandFields(q.fields, true));
  Query lenient = q;
  lenient.lenient = true;
  std::vector<SqlFragment> groups;
  const auto tokens = analyzeText(q.text);
  if (!text.empty() && !tokens.empty()) {
    SqlFragment sum;
    sum.add("(");
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      std::vector<SqlFragment> fieldScores;
      for (const auto& [field, weight] : text) {
        fieldScores.push_back(matchField(oneTerm(q, tokens[t]), field, false, false, true, q.boost * weight));
      }
      sum.add(t ? " + " : "").add(blendScores(fieldScores, false, q.tieBreaker));
    }
    groups.push_back(std::move(sum.add(")")));
  }
  for (const auto& [field, weight] : exact) groups.push_back(matchField(lenient, field, false, false, true, q.boost * weight));
  return blendScores(groups, false, q.tieBreaker);
}

}  // namespace orrery::data
