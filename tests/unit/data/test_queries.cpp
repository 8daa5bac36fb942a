// Query DSL execution over real SQLite shards: each query type, BM25 ordering, sorting,
// paging, search_after, _source filtering, track_total_hits, multi-index and multi-shard
// merges, q= URI search, and the parse errors that name the bad key.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "engine_fixture.hpp"
#include "errors.hpp"
#include "fuzzy.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

// Ten small documents, loaded into `shards` shards.
EngineFixture& books(EngineFixture& f, int shards = 1) {
  f.create("books", json{{"settings", {{"number_of_shards", shards}}},
                         {"mappings", {{"properties", {{"title", {{"type", "text"}}}, {"genre", {{"type", "keyword"}}},
                                                       {"pages", {{"type", "integer"}}}, {"price", {{"type", "double"}}},
                                                       {"published", {{"type", "date"}}}, {"tags", {{"type", "keyword"}}},
                                                       {"available", {{"type", "boolean"}}}}}}}});
  f.load("books", {
      json{{"_id_", "1"}, {"title", "The Quick Brown Fox"}, {"genre", "fable"}, {"pages", 120}, {"price", 9.5}, {"published", "2020-01-15"}, {"tags", {"animals", "short"}}, {"available", true}},
      json{{"_id_", "2"}, {"title", "Quick recipes for busy cooks"}, {"genre", "cooking"}, {"pages", 300}, {"price", 25.0}, {"published", "2021-06-01"}, {"tags", "food"}, {"available", false}},
      json{{"_id_", "3"}, {"title", "The fox and the hound"}, {"genre", "fable"}, {"pages", 90}, {"price", 7.25}, {"published", "2019-03-10"}, {"tags", {"animals"}}, {"available", true}},
      json{{"_id_", "4"}, {"title", "Brown bread baking"}, {"genre", "cooking"}, {"pages", 210}, {"price", 18.0}, {"published", "2022-11-30"}, {"available", true}},
      json{{"_id_", "5"}, {"title", "A history of foxes, foxes everywhere"}, {"genre", "history"}, {"pages", 450}, {"price", 40.0}, {"published", "2018-07-04"}, {"tags", {"animals", "long"}}},
      json{{"_id_", "6"}, {"title", "Lazy dogs sleep"}, {"genre", "fable"}, {"pages", 60}, {"published", "2023-02-14"}, {"available", false}},
  });
  return f;
}

std::set<std::string> idSet(EngineFixture& f, const json& query) {
  auto ids = f.ids("books", json{{"query", query}, {"size", 100}});
  return {ids.begin(), ids.end()};
}

using Ids = std::set<std::string>;

}  // namespace

TEST_CASE("term-level queries: term, terms, range, exists, prefix, wildcard, ids") {
  for (int shards : {1, 3}) {
    CAPTURE(shards);
    EngineFixture f;
    books(f, shards);
    CHECK(idSet(f, {{"match_all", json::object()}}).size() == 6);
    CHECK(idSet(f, {{"match_none", json::object()}}).empty());
    CHECK(idSet(f, {{"term", {{"genre", "fable"}}}}) == Ids{"1", "3", "6"});
    CHECK(idSet(f, {{"term", {{"genre", {{"value", "FABLE"}, {"case_insensitive", true}}}}}}) == Ids{"1", "3", "6"});
    CHECK(idSet(f, {{"term", {{"tags", "animals"}}}}) == Ids{"1", "3", "5"});  // arrays of values
    CHECK(idSet(f, {{"term", {{"available", true}}}}) == Ids{"1", "3", "4"});
    CHECK(idSet(f, {{"terms", {{"genre", {"cooking", "history"}}}}}) == Ids{"2", "4", "5"});
    CHECK(idSet(f, {{"range", {{"pages", {{"gte", 100}, {"lt", 300}}}}}}) == Ids{"1", "4"});
    CHECK(idSet(f, {{"range", {{"price", {{"gt", 9.5}}}}}}) == Ids{"2", "4", "5"});
    CHECK(idSet(f, {{"range", {{"published", {{"gte", "2021-01-01"}, {"lte", "2022-12-31"}}}}}}) == Ids{"2", "4"});
    CHECK(idSet(f, {{"range", {{"published", {{"gte", "2021-06-01||/y"}}}}}}) == Ids{"2", "4", "6"});
    CHECK(idSet(f, {{"range", {{"published", {{"lt", "now-100y"}}}}}}).empty());
    CHECK(idSet(f, {{"range", {{"published", {{"gte", "now-100y/d"}}}}}}).size() == 6);
    CHECK(idSet(f, {{"exists", {{"field", "price"}}}}) == Ids{"1", "2", "3", "4", "5"});
    CHECK(idSet(f, {{"exists", {{"field", "tags"}}}}) == Ids{"1", "2", "3", "5"});
    CHECK(idSet(f, {{"exists", {{"field", "nope"}}}}).empty());
    CHECK(idSet(f, {{"prefix", {{"genre", "co"}}}}) == Ids{"2", "4"});
    CHECK(idSet(f, {{"prefix", {{"title", "fox"}}}}) == Ids{"1", "3", "5"});
    CHECK(idSet(f, {{"wildcard", {{"genre", "f*e"}}}}) == Ids{"1", "3", "6"});
    CHECK(idSet(f, {{"wildcard", {{"title", {{"value", "b?ead"}}}}}}) == Ids{"4"});
    CHECK(idSet(f, {{"ids", {{"values", {"2", "5", "99"}}}}}) == Ids{"2", "5"});
  }
}

TEST_CASE("full-text queries: match with operator and minimum_should_match, match_phrase, multi_match") {
  EngineFixture f;
  books(f);
  CHECK(idSet(f, {{"match", {{"title", "quick fox"}}}}) == Ids{"1", "2", "3"});
  CHECK(idSet(f, {{"match", {{"title", {{"query", "quick fox"}, {"operator", "and"}}}}}}) == Ids{"1"});
  CHECK(idSet(f, {{"match", {{"title", {{"query", "quick brown fox"}, {"minimum_should_match", 2}}}}}}) == Ids{"1"});
  CHECK(idSet(f, {{"match", {{"title", {{"query", "quick brown"}, {"minimum_should_match", "50%"}}}}}}) == Ids{"1", "2", "4"});
  CHECK(idSet(f, {{"match", {{"title", "FOXES"}}}}) == Ids{"5"});  // lowercased, no stemming
  CHECK(idSet(f, {{"match", {{"genre", "fable"}}}}) == Ids{"1", "3", "6"});  // keyword: exact
  CHECK(idSet(f, {{"match_phrase", {{"title", "quick brown"}}}}) == Ids{"1"});
  CHECK(idSet(f, {{"match_phrase", {{"title", "brown quick"}}}}).empty());
  CHECK(idSet(f, {{"multi_match", {{"query", "cooking"}, {"fields", {"title", "genre"}}}}}) == Ids{"2", "4"});
  CHECK(idSet(f, {{"multi_match", {{"query", "hound"}, {"fields", {"title^2", "genre"}}}}}) == Ids{"3"});
}

TEST_CASE("fuzziness: terms within the edit distance of the vocabulary, with prefix_length and max_expansions") {
  EngineFixture f;
  books(f);
  const auto fuzzy = [&](const std::string& text, const json& options) {
    json inner = options;
    inner["query"] = text;
    return idSet(f, {{"match", {{"title", inner}}}});
  };
  // AUTO: 0 edits below 3 characters, 1 below 6, 2 from 6 on.
  CHECK(fuzzy("quikc", {{"fuzziness", "AUTO"}}) == Ids{"1", "2"});  // one transposition
  CHECK(fuzzy("quikc", {{"fuzziness", "AUTO"}, {"fuzzy_transpositions", false}}).empty());  // two edits
  CHECK(fuzzy("quikc", {{"fuzziness", 2}, {"fuzzy_transpositions", false}}) == Ids{"1", "2"});
  CHECK(fuzzy("hund", {{"fuzziness", "AUTO"}}) == Ids{"3"});         // one insertion
  CHECK(fuzzy("fix", {{"fuzziness", "AUTO"}}) == Ids{"1", "3"});     // fox; not foxes (2 edits)
  CHECK(fuzzy("fix", {{"fuzziness", "AUTO:4,6"}}).empty());          // 3 characters: exact only
  CHECK(fuzzy("fix", {{"fuzziness", 0}}).empty());
  CHECK(fuzzy("fix", {{"fuzziness", "1"}, {"prefix_length", 1}}) == Ids{"1", "3"});
  CHECK(fuzzy("gox", {{"fuzziness", "1"}, {"prefix_length", 1}}).empty());  // the f must match
  CHECK(fuzzy("foxe", {{"fuzziness", 1}}) == Ids{"1", "3", "5"});            // fox and foxes
  CHECK(fuzzy("foxe", {{"fuzziness", 1}, {"max_expansions", 1}}).size() == 2);  // only the first, by distance then term
  CHECK(fuzzy("quikc fix", {{"fuzziness", "AUTO"}, {"operator", "and"}}) == Ids{"1"});
  // Without fuzziness a misspelling matches nothing.
  CHECK(idSet(f, {{"match", {{"title", "quikc"}}}}).empty());
  // Keyword fields compare the whole value: "cooking" is one transposition away.
  CHECK(idSet(f, {{"multi_match", {{"query", "cookign"}, {"fields", {"title", "genre"}}, {"fuzziness", "AUTO"}}}}) ==
        Ids{"2", "4"});
  CHECK(idSet(f, {{"match", {{"genre", {{"query", "fabel"}, {"fuzziness", 1}}}}}}) == Ids{"1", "3", "6"});
  CHECK(idSet(f, {{"match", {{"genre", {{"query", "fabel"}, {"fuzziness", 1}, {"fuzzy_transpositions", false}}}}}}).empty());
  CHECK(idSet(f, {{"match", {{"genre", {{"query", "gable"}, {"fuzziness", 1}, {"prefix_length", 1}}}}}}).empty());
  // The exact term scores like a plain match when it is the only spelling.
  const auto exact = f.search("books", json{{"query", {{"match", {{"title", "hound"}}}}}});
  const auto viaFuzzy = f.search("books", json{{"query", {{"match", {{"title", {{"query", "hound"}, {"fuzziness", 1}}}}}}}});
  CHECK(viaFuzzy["hits"]["hits"][0]["_score"] == exact["hits"]["hits"][0]["_score"]);
}

TEST_CASE("edit distance counts characters, transpositions optionally, and stops past the limit") {
  CHECK(editDistance("quick", "quick", 2, true) == 0);
  CHECK(editDistance("quick", "quikc", 2, true) == 1);
  CHECK(editDistance("quick", "quikc", 2, false) == 2);
  CHECK(editDistance("fox", "foxes", 2, true) == 2);
  CHECK(editDistance("fox", "foxes", 1, true) == 2);  // limit + 1
  CHECK(editDistance("fox", "wolverine", 2, true) == 3);
  CHECK(editDistance("\xc3\xa9t\xc3\xa9", "ete", 2, true) == 2);  // two characters, four bytes
  CHECK(editDistance("", "ab", 2, true) == 2);
  const auto automatic = parseFuzziness("match", "AUTO");
  CHECK(automatic.editsFor("ab") == 0);
  CHECK(automatic.editsFor("abc") == 1);
  CHECK(automatic.editsFor("abcdef") == 2);
  CHECK(automatic.editsFor("\xc3\xa9t\xc3\xa9") == 1);  // three characters
  CHECK(parseFuzziness("match", "1.0").edits == 1);
  for (const auto* bad : {"3", "-1", "AUTO:6,3", "AUTO:x", "often", ""}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(parseFuzziness("match", bad), doctest::Contains("[fuzziness] value"), EngineError);
  }
}

TEST_CASE("match_phrase slop, zero_terms_query, analyzer, and multi_match scoring types") {
  EngineFixture f;
  books(f);
  // "The Quick Brown Fox": quick and fox are one position apart.
  CHECK(idSet(f, {{"match_phrase", {{"title", "quick fox"}}}}).empty());
  CHECK(idSet(f, {{"match_phrase", {{"title", {{"query", "quick fox"}, {"slop", 1}}}}}}) == Ids{"1"});
  // "The fox and the hound": two positions between fox and hound.
  CHECK(idSet(f, {{"match_phrase", {{"title", {{"query", "fox hound"}, {"slop", 1}}}}}}).empty());
  CHECK(idSet(f, {{"match_phrase", {{"title", {{"query", "fox hound"}, {"slop", 2}}}}}}) == Ids{"3"});
  // The last term as a prefix: fox in 1, "for" in "Quick recipes for busy cooks".
  CHECK(idSet(f, {{"match_phrase_prefix", {{"title", "quick fo"}}}}).empty());
  CHECK(idSet(f, {{"match_phrase_prefix", {{"title", {{"query", "quick fo"}, {"slop", 1}}}}}}) == Ids{"1", "2"});
  CHECK(idSet(f, {{"multi_match", {{"query", "lazy sleep"}, {"type", "phrase"}, {"slop", 1}, {"fields", {"title"}}}}}) ==
        Ids{"6"});
  // A text without terms: nothing by default, everything with zero_terms_query all.
  CHECK(idSet(f, {{"match", {{"title", "?!"}}}}).empty());
  CHECK(idSet(f, {{"match", {{"title", {{"query", "?!"}, {"zero_terms_query", "all"}}}}}}).size() == 6);
  CHECK(idSet(f, {{"match", {{"title", {{"query", "?!"}, {"zero_terms_query", "none"}}}}}}).empty());
  // The standard analyzer may be named; another one is refused, not silently replaced.
  CHECK(idSet(f, {{"match", {{"title", {{"query", "fox"}, {"analyzer", "standard"}}}}}}) == Ids{"1", "3"});
  CHECK_THROWS_WITH_AS(f.search("books", json{{"query", {{"match", {{"title", {{"query", "fox"}, {"analyzer", "whitespace"}}}}}}}}),
                       doctest::Contains("analyzer [whitespace] is not available"), EngineError);
  // best_fields: the best field's score plus tie_breaker times the others'; most_fields: the sum.
  f.create("notes", json{{"mappings", {{"properties", {{"subject", {{"type", "text"}}}, {"body", {{"type", "text"}}}}}}}});
  f.load("notes", {json{{"_id_", "n1"}, {"subject", "fox report"}, {"body", "a fox was seen near the fox den"}},
                   json{{"_id_", "n2"}, {"subject", "weather"}, {"body", "rain"}}});
  const auto scoreOf = [&](const json& multi) {
    const auto result = f.search("notes", json{{"query", {{"multi_match", multi}}}});
    REQUIRE(result["hits"]["hits"].size() == 1);
    return result["hits"]["hits"][0]["_score"].get<double>();
  };
  const auto subject = scoreOf({{"query", "fox"}, {"fields", {"subject"}}});
  const auto body = scoreOf({{"query", "fox"}, {"fields", {"body"}}});
  REQUIRE(subject > 0);
  REQUIRE(body > 0);
  CHECK(scoreOf({{"query", "fox"}, {"fields", {"subject", "body"}}}) == doctest::Approx(std::max(subject, body)));
  CHECK(scoreOf({{"query", "fox"}, {"fields", {"subject", "body"}}, {"tie_breaker", 0.5}}) ==
        doctest::Approx(std::max(subject, body) + 0.5 * std::min(subject, body)));
  CHECK(scoreOf({{"query", "fox"}, {"fields", {"subject", "body"}}, {"type", "most_fields"}}) ==
        doctest::Approx(subject + body));
  CHECK_THROWS_WITH_AS(f.search("books", json{{"query", {{"multi_match", {{"query", "x"}, {"type", "phrase"}, {"fuzziness", 1}}}}}}),
                       doctest::Contains("Fuzziness not allowed for type [phrase]"), EngineError);
}

TEST_CASE("BM25: more occurrences of a rarer term rank higher; scores are positive") {
  EngineFixture f;
  books(f);
  auto result = f.search("books", json{{"query", {{"match", {{"title", "foxes"}}}}}});
  REQUIRE(result["hits"]["hits"].size() == 1);
  CHECK(result["hits"]["hits"][0]["_score"].get<double>() > 0);
  auto ranked = f.search("books", json{{"query", {{"match", {{"title", "quick bread"}}}}}});
  // "bread" occurs in one document, "quick" in two: the rarer term weighs more.
  CHECK(ranked["hits"]["hits"][0]["_id"] == "4");
  CHECK(ranked["hits"]["max_score"] == ranked["hits"]["hits"][0]["_score"]);
}

TEST_CASE("bool: must, filter, should with minimum_should_match, must_not") {
  EngineFixture f;
  books(f);
  CHECK(idSet(f, {{"bool", {{"must", {{"match", {{"title", "fox"}}}}}, {"filter", {{"range", {{"pages", {{"lt", 100}}}}}}}}}}) == Ids{"3"});
  CHECK(idSet(f, {{"bool", {{"must_not", {{"term", {{"genre", "fable"}}}}}}}}) == Ids{"2", "4", "5"});
  CHECK(idSet(f, {{"bool", {{"should", json::array({{{"term", {{"genre", "history"}}}}, {{"term", {{"pages", 60}}}}})}}}}) == Ids{"5", "6"});
  CHECK(idSet(f, {{"bool", {{"should", json::array({{{"term", {{"genre", "fable"}}}}, {{"term", {{"available", true}}}}, {{"range", {{"pages", {{"gt", 100}}}}}}})},
                             {"minimum_should_match", 2}}}}) == Ids{"1", "3", "4"});
  // with a filter, should clauses are optional but add to the score
  auto scored = f.search("books", json{{"query", {{"bool", {{"filter", {{"term", {{"genre", "fable"}}}}}, {"should", {{"match", {{"title", "fox"}}}}}}}}}});
  CHECK(scored["hits"]["total"]["value"] == 3);
  CHECK(scored["hits"]["hits"][2]["_id"] == "6");
  CHECK(scored["hits"]["hits"][2]["_score"] == 0.0);
}

TEST_CASE("query_string, simple_query_string and q= URI search") {
  EngineFixture f;
  books(f);
  CHECK(idSet(f, {{"query_string", {{"query", "genre:fable AND title:fox"}}}}) == Ids{"1", "3"});
  CHECK(idSet(f, {{"query_string", {{"query", "genre:fable AND NOT title:fox"}}}}) == Ids{"6"});
  CHECK(idSet(f, {{"query_string", {{"query", "title:\"quick brown\" OR genre:history"}}}}) == Ids{"1", "5"});
  CHECK(idSet(f, {{"query_string", {{"query", "pages:[100 TO 300]"}}}}) == Ids{"1", "2", "4"});
  CHECK(idSet(f, {{"query_string", {{"query", "pages:>=300"}}}}) == Ids{"2", "5"});
  CHECK(idSet(f, {{"query_string", {{"query", "title:fox*"}}}}) == Ids{"1", "3", "5"});
  CHECK(idSet(f, {{"query_string", {{"query", "bread"}}}}) == Ids{"4"});  // default field *: every text/keyword field
  CHECK(idSet(f, {{"query_string", {{"query", "(fable OR cooking) AND brown"}}}}) == Ids{"1", "4"});
  CHECK(idSet(f, {{"simple_query_string", {{"query", "fox -hound"}, {"fields", {"title"}}, {"default_operator", "and"}}}}) == Ids{"1"});
  CHECK(idSet(f, {{"simple_query_string", {{"query", "bread | hound"}, {"fields", {"title"}}}}}) == Ids{"3", "4"});

  SearchRequest uri = parseSearchRequest(nullptr);
  applySearchParameters(uri, {{"q", "genre:cooking"}, {"sort", "pages:desc"}});
  auto result = searchIndices(f.engine.resolve("books"), uri);
  REQUIRE(result["hits"]["hits"].size() == 2);
  CHECK(result["hits"]["hits"][0]["_id"] == "2");

  try {
    f.search("books", json{{"query", {{"query_string", {{"query", "title:(fox"}}}}}});
    FAIL("parsed");
  } catch (const EngineError& e) {
    CHECK(e.type() == "query_shard_exception");
    CHECK(std::string(e.what()).find("Failed to parse query [title:(fox]") == 0);
  }
}

TEST_CASE("sorting by fields, _score and _doc; missing values first or last") {
  for (int shards : {1, 4}) {
    CAPTURE(shards);
    EngineFixture f;
    books(f, shards);
    CHECK(f.ids("books", json{{"sort", {{{"pages", "asc"}}}}}) == std::vector<std::string>{"6", "3", "1", "4", "2", "5"});
    CHECK(f.ids("books", json{{"sort", {{{"price", {{"order", "desc"}}}}}}}) == std::vector<std::string>{"5", "2", "4", "1", "3", "6"});
    CHECK(f.ids("books", json{{"sort", {{{"price", {{"order", "asc"}, {"missing", "_first"}}}}}}}) == std::vector<std::string>{"6", "3", "1", "4", "2", "5"});
    CHECK(f.ids("books", json{{"sort", {{{"price", {{"order", "asc"}, {"missing", 8}}}}}}}) == std::vector<std::string>{"3", "6", "1", "4", "2", "5"});
    CHECK(f.ids("books", json{{"sort", {{{"genre", "asc"}}, {{"pages", "desc"}}}}}) == std::vector<std::string>{"2", "4", "1", "3", "6", "5"});
    auto withValues = f.search("books", json{{"sort", {"published"}}, {"size", 1}});
    CHECK(withValues["hits"]["hits"][0]["_id"] == "5");
    CHECK(withValues["hits"]["hits"][0]["sort"][0] == 1530662400000LL);
    CHECK(withValues["hits"]["hits"][0]["_score"].is_null());
  }
}

TEST_CASE("sorting on a text field or an unmapped field is refused") {
  EngineFixture f;
  books(f);
  CHECK_THROWS_WITH_AS(f.search("books", json{{"sort", {"title"}}}), doctest::Contains("Text fields are not optimised"), EngineError);
  CHECK_THROWS_WITH_AS(f.search("books", json{{"sort", {"nope"}}}), doctest::Contains("No mapping found for [nope]"), EngineError);
}

TEST_CASE("paging with from/size, search_after, and max_result_window") {
  EngineFixture f;
  f.create("many", json{{"settings", {{"number_of_shards", 3}}}});
  std::vector<json> docs;
  for (int i = 0; i < 57; ++i) docs.push_back(json{{"_id_", std::to_string(i)}, {"n", i}, {"group", i % 4}});
  f.load("many", docs);
  std::vector<int> seen;
  for (int from = 0; from < 57; from += 10) {
    const auto page = f.search("many", json{{"from", from}, {"size", 10}, {"sort", {"n"}}});
    for (const auto& hit : page["hits"]["hits"]) {
      seen.push_back(hit["_source"]["n"].get<int>());
    }
  }
  REQUIRE(seen.size() == 57);
  for (int i = 0; i < 57; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i);

  // search_after over (group desc, n asc)
  std::vector<int> after;
  json cursor;
  while (true) {
    json body = {{"size", 7}, {"sort", {{{"group", "desc"}}, {{"n", "asc"}}}}};
    if (!cursor.is_null()) body["search_after"] = cursor;
    auto hits = f.search("many", body)["hits"]["hits"];
    if (hits.empty()) break;
    for (const auto& hit : hits) after.push_back(hit["_source"]["n"].get<int>());
    cursor = hits.back()["sort"];
  }
  std::vector<int> expected(57);
  for (int i = 0; i < 57; ++i) expected[static_cast<std::size_t>(i)] = i;
  std::sort(expected.begin(), expected.end(), [](int a, int b) { return a % 4 != b % 4 ? a % 4 > b % 4 : a < b; });
  CHECK(after == expected);

  // Checked on each shard against its index's setting, as Elasticsearch does.
  CHECK_THROWS_WITH_AS(f.search("many", json{{"from", 9995}, {"size", 10}}), doctest::Contains("Result window is too large"), EngineError);
  CHECK_NOTHROW(f.search("many", json{{"from", 9990}, {"size", 10}}));
}

TEST_CASE("track_total_hits: exact, capped with gte, or absent") {
  EngineFixture f;
  std::vector<json> docs;
  for (int i = 0; i < 30; ++i) docs.push_back(json{{"n", i}});
  f.load("t", docs);
  auto exact = f.search("t", json{{"track_total_hits", true}, {"size", 0}});
  CHECK(exact["hits"]["total"] == json{{"value", 30}, {"relation", "eq"}});
  auto capped = f.search("t", json{{"track_total_hits", 10}, {"size", 0}});
  CHECK(capped["hits"]["total"] == json{{"value", 10}, {"relation", "gte"}});
  auto none = f.search("t", json{{"track_total_hits", false}});
  CHECK_FALSE(none["hits"].contains("total"));
  CHECK(f.search("t", json::object())["hits"]["total"]["value"] == 30);
}

TEST_CASE("_source filtering: false, includes, excludes, wildcards") {
  EngineFixture f;
  f.load("s", {json{{"_id_", "1"}, {"a", 1}, {"b", {{"c", 2}, {"d", 3}}}, {"e", "x"}}});
  const auto source = [&](const json& filter) { return f.search("s", json{{"_source", filter}})["hits"]["hits"][0]; };
  CHECK_FALSE(source(false).contains("_source"));
  CHECK(source("a")["_source"] == json{{"a", 1}});
  CHECK(source(json::array({"b.c", "e"}))["_source"] == json{{"b", {{"c", 2}}}, {"e", "x"}});
  CHECK(source(json{{"excludes", {"b"}}})["_source"] == json{{"a", 1}, {"e", "x"}});
  CHECK(source(json{{"includes", {"b.*"}}, {"excludes", {"b.d"}}})["_source"] == json{{"b", {{"c", 2}}}});
}

TEST_CASE("a search over several indices merges their hits") {
  EngineFixture f;
  f.load("logs-1", {json{{"_id_", "a"}, {"n", 3}}, json{{"_id_", "b"}, {"n", 1}}});
  f.load("logs-2", {json{{"_id_", "c"}, {"n", 2}}});
  auto result = f.search("logs-*", json{{"sort", {"n"}}});
  CHECK(result["_shards"]["total"] == 2);
  REQUIRE(result["hits"]["hits"].size() == 3);
  CHECK(result["hits"]["hits"][0]["_index"] == "logs-1");
  CHECK(result["hits"]["hits"][1]["_index"] == "logs-2");
  CHECK(result["hits"]["hits"][1]["_id"] == "c");
  CHECK(countIndices(f.engine.resolve("logs-*"), Query{}) == 3);
}

TEST_CASE("the query parser names the bad key") {
  const auto reason = [](const json& body) -> std::string {
    try {
      parseSearchRequest(body);
    } catch (const EngineError& e) {
      CHECK(e.status() == 400);
      return e.type() + ": " + e.what();
    }
    return "accepted";
  };
  CHECK(reason({{"query", {{"foo", json::object()}}}}) == "parsing_exception: unknown query [foo]");
  CHECK(reason({{"query", {{"match", {{"title", {{"query", "x"}, {"bogus", 1}}}}}}}}) == "parsing_exception: [match] query does not support [bogus]");
  CHECK(reason({{"query", {{"bool", {{"musts", json::array()}}}}}}) == "parsing_exception: [bool] query does not support [musts]");
  CHECK(reason({{"query", {{"term", {{"a", 1}, {"b", 2}}}}}}) == "parsing_exception: [term] query doesn't support multiple fields, found [a] and [b]");
  CHECK(reason({{"query", {{"match_all", json::object()}, {"term", {{"a", 1}}}}}}) == "parsing_exception: [match_all] malformed query, expected [END_OBJECT] but found [FIELD_NAME]");
  CHECK(reason({{"querry", json::object()}}) == "parsing_exception: Unknown key for a START_OBJECT in [querry].");
  CHECK(reason({{"size", "ten"}}) == "parsing_exception: [size] must be an integer, found [ten]");
  CHECK(reason({{"aggs", {{"x", {{"nope", json::object()}}}}}}) == "parsing_exception: Unknown aggregation type [nope]");
  CHECK(reason({{"query", {{"range", {{"n", {{"gte", 1}, {"between", 2}}}}}}}}) == "parsing_exception: [range] query does not support [between]");
}

TEST_CASE("a value that cannot be compared with the field's type is a query_shard_exception") {
  EngineFixture f;
  books(f);
  CHECK_THROWS_WITH_AS(f.search("books", json{{"query", {{"term", {{"pages", "many"}}}}}}), doctest::Contains("failed to create query"), EngineError);
  CHECK_THROWS_WITH_AS(f.search("books", json{{"query", {{"range", {{"published", {{"gte", "someday"}}}}}}}}), doctest::Contains("failed to parse date field"), EngineError);
}

namespace {

// An index "big" of `count` documents {n, msg}; returns it.
std::shared_ptr<Index> bigIndex(EngineFixture& f, int count) {
  std::vector<json> docs;
  for (int i = 0; i < count; ++i) docs.push_back(json{{"n", i}, {"msg", std::string("word").append(std::to_string(i % 50))}});
  f.load("big", docs);
  return f.engine.index("big");
}

}  // namespace

TEST_CASE("a cancelled search stops with task_cancelled_exception") {
  EngineFixture f;
  auto index = bigIndex(f, 2000);
  std::atomic<bool> cancelled{true};
  auto request = parseSearchRequest(json{{"aggs", {{"t", {{"terms", {{"field", "n"}}}}}}}});
  CHECK_THROWS_WITH_AS(searchShard(*index, *index->shards()[0], request, currentMillis(), &cancelled),
                       doctest::Contains("cancelled"), EngineError);
  cancelled = false;
  CHECK(searchShard(*index, *index->shards()[0], request, currentMillis(), &cancelled).total == 2000);
}

TEST_CASE("cancelling a search stops the SQLite statement that is running, not only the next one") {
  EngineFixture f;
  auto index = bigIndex(f, 3000);
  auto& shard = *index->shards()[0];
  // A trace on the reader connection the search will use (the shard's pool hands the one
  // idle connection back): the first row a statement on the documents yields cancels the
  // search, and every such row is counted.
  struct Watch {
    std::atomic<bool> cancelled{false};
    int rows = 0;
  } watch;
  const auto trace = [&](bool on) {
    auto reader = shard.read();
    if (!on) {
      sqlite3_trace_v2(reader.db().handle(), 0, nullptr, nullptr);
      return;
    }
    sqlite3_trace_v2(reader.db().handle(), SQLITE_TRACE_ROW, [](unsigned, void* context, void* stmt, void*) -> int {
      if (std::string_view(sqlite3_sql(static_cast<sqlite3_stmt*>(stmt))).find("FROM docs") == std::string_view::npos) return 0;
      auto* w = static_cast<Watch*>(context);
      ++w->rows;
      w->cancelled = true;
      return 0;
    }, &watch);
  };
  trace(true);
  auto request = parseSearchRequest(json{{"size", 3000}, {"sort", {"n"}}});
  CHECK_THROWS_WITH_AS(searchShard(*index, shard, request, currentMillis(), &watch.cancelled),
                       doctest::Contains("cancelled"), EngineError);
  trace(false);
  // Stopped within the statement: far fewer rows than the 3000 hits it was reading.
  CHECK(watch.rows > 0);
  CHECK(watch.rows < 1000);
}
