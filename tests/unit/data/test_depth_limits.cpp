// The depth limits of what clients send to the engine (depth_limits.hpp, mapping.hpp):
// each at its limit accepted and one past it refused with the error naming the limit,
// and inputs far past it (50,000 levels) refused before anything recurses through them.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "bulk.hpp"
#include "depth_limits.hpp"
#include "engine_fixture.hpp"
#include "errors.hpp"
#include "query.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

// {key: inner}, moving `inner` in: never a copy, which recurses per level (a deep value
// is only ever moved and destroyed here, both without recursion).
json wrap(const std::string& key, json inner) {
  json out = json::object();
  out[key] = std::move(inner);
  return out;
}

// `bools` bool queries, each the only `occur` clause of the one around it, around a
// match_all: `bools + 1` queries deep.
json nestedBool(int bools, const std::string& occur = "must") {
  json q = wrap("match_all", json::object());
  for (int i = 0; i < bools; ++i) {
    json clauses = json::array();
    clauses.push_back(std::move(q));
    q = wrap("bool", wrap(occur, std::move(clauses)));
  }
  return q;
}

// `levels` aggregations, each the only sub-aggregation of the one around it.
json nestedAggs(int levels) {
  const json terms = {{"terms", {{"field", "n"}}}};
  json aggs = wrap("t", terms);
  for (int i = 1; i < levels; ++i) {
    json agg = terms;
    agg["aggs"] = std::move(aggs);
    aggs = wrap("t", std::move(agg));
  }
  return aggs;
}

// `depth` objects, each the only field of the one around it: {"o":{"o":...{"leaf":1}}}.
json nestedDocument(int depth) {
  json doc = wrap("leaf", 1);
  for (int i = 0; i < depth; ++i) doc = wrap("o", std::move(doc));
  return doc;
}

// An explicit mapping of `depth` object fields, each inside the one before.
json nestedProperties(int depth) {
  json properties = wrap("leaf", wrap("type", "keyword"));
  for (int i = 0; i < depth; ++i) properties = wrap("o", wrap("properties", std::move(properties)));
  return wrap("properties", std::move(properties));
}

std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// The error `action` throws; fails the test when it throws none.
template <class Action>
EngineError errorOf(Action action) {
  try {
    action();
  } catch (const EngineError& error) {
    return error;
  }
  FAIL("no EngineError thrown");
  return EngineError(0, "", "");
}

void checkQueryTooDeep(const EngineError& error) {
  CHECK(error.status() == 400);
  CHECK(error.type() == "illegal_argument_exception");
  CHECK(std::string(error.what()) ==
        "The nested depth of the query exceeds the maximum nested depth for queries set in "
        "[indices.query.bool.max_nested_depth]");
}

}  // namespace

TEST_CASE("query DSL: 30 queries deep is accepted, 31 refused with Elasticsearch's error naming the setting") {
  for (const std::string occur : {"must", "filter", "should", "must_not"}) {
    CAPTURE(occur);
    CHECK_NOTHROW(parseQuery(nestedBool(29, occur)));
    checkQueryTooDeep(errorOf([&] { parseQuery(nestedBool(30, occur)); }));
  }
  // constant_score and bool mixed: every query object counts, whatever the compound.
  json mixed = {{"term", {{"a", 1}}}};
  for (int i = 1; i < 30; ++i) {
    mixed = i % 2 ? json{{"constant_score", {{"filter", std::move(mixed)}}}}
                  : json{{"bool", {{"filter", std::move(mixed)}, {"should", json::array({{{"match_all", json::object()}}})}}}};
  }
  CHECK_NOTHROW(parseQuery(mixed));
  checkQueryTooDeep(errorOf([&] { parseQuery(json{{"constant_score", {{"filter", mixed}}}}); }));
  // The limit is the configured one, through the search request too.
  CHECK_NOTHROW(parseQuery(nestedBool(4), 5));
  checkQueryTooDeep(errorOf([&] { parseQuery(nestedBool(5), 5); }));
  DepthLimits limits;
  limits.query = 5;
  CHECK_NOTHROW(parseSearchRequest(json{{"query", nestedBool(4)}}, limits));
  checkQueryTooDeep(errorOf([&] { parseSearchRequest(json{{"query", nestedBool(5)}}, limits); }));
  // Queries inside aggregations are held to it as well.
  checkQueryTooDeep(errorOf([&] {
    parseSearchRequest(json{{"aggs", {{"f", {{"filter", nestedBool(5)}}}}}}, limits);
  }));
  checkQueryTooDeep(errorOf([&] {
    parseSearchRequest(json{{"aggs", {{"f", {{"filters", {{"filters", {{"x", nestedBool(5)}}}}}}}}}}, limits);
  }));
}

TEST_CASE("query DSL: 50,000 nested bool.must clauses are refused before anything recurses through them") {
  const json body = wrap("query", nestedBool(50'000));
  checkQueryTooDeep(errorOf([&] { parseQuery(body["query"]); }));
  checkQueryTooDeep(errorOf([&] { parseSearchRequest(body); }));
  // As text, the body is refused by its JSON nesting before it is a value at all.
  std::string text;
  for (int i = 0; i < 50'000; ++i) text += R"({"bool":{"must":[)";
  text += R"({"match_all":{}})";
  for (int i = 0; i < 50'000; ++i) text += "]}}";
  const auto error = errorOf([&] { parseBoundedJson(R"({"query":)" + text + "}", 1000); });
  CHECK(error.status() == 400);
  CHECK(error.type() == "x_content_parse_exception");
  CHECK(std::string(error.what()) ==
        "Document nesting depth (1001) exceeds the maximum allowed (1000, from [data.json.maxNestingDepth])");
}

TEST_CASE("query_string and q=: groups and negations nest up to the limit, then a 400 naming it") {
  const std::vector<std::pair<std::string, double>> fields = {{"*", 1.0}};
  QueryStringOptions options;
  options.maxDepth = 3;
  CHECK_NOTHROW(parseQueryString("(((a)))", fields, false, options));
  CHECK_NOTHROW(parseQueryString("NOT (NOT a)", fields, false, options));
  for (const std::string text : {"((((a))))", "NOT NOT NOT NOT a", "- - - - a", "!!!!a", "++++a", "(NOT (-(a)))"}) {
    CAPTURE(text);
    const auto error = errorOf([&] { parseQueryString(text, fields, false, options); });
    CHECK(error.status() == 400);
    CHECK(error.type() == "query_shard_exception");
    CHECK(std::string(error.what()).find("exceeds the maximum nested depth for queries set in "
                                         "[indices.query.bool.max_nested_depth]") != std::string::npos);
  }
  // 50,000 deep, by the default limit.
  for (const auto& text : {repeat("(", 50'000) + "a" + repeat(")", 50'000), repeat("-", 50'000) + "a",
                           repeat("NOT ", 50'000) + "a", repeat("+", 50'000) + "a", repeat("(", 50'000)}) {
    CHECK(errorOf([&] { parseQueryString(text, fields, false); }).status() == 400);
  }
  // q=: the top-level query, with the levels below it.
  DepthLimits limits;
  limits.query = 3;
  SearchRequest request;
  CHECK_NOTHROW(applySearchParameters(request, {{"q", "((a))"}}, limits));
  CHECK(errorOf([&] { applySearchParameters(request, {{"q", "(((a)))"}}, limits); }).status() == 400);
  // Inside the DSL, within the levels the query_string's own depth leaves.
  const auto inBool = [](const std::string& text) {
    return json{{"bool", {{"must", json::array({{{"query_string", {{"query", text}}}}})}}}};
  };
  CHECK_NOTHROW(parseQuery(inBool("(a)"), 3));
  CHECK(errorOf([&] { parseQuery(inBool("((a))"), 3); }).status() == 400);
}

TEST_CASE("simple_query_string: groups and operator changes nest up to the limit, then a 400 naming it") {
  const std::vector<std::pair<std::string, double>> fields = {{"title", 1.0}};
  // Each change of operator wraps what came before: a+b|c+d is ((a+b)|c)+d.
  CHECK_NOTHROW(parseSimpleQueryString("a+b|c+d", fields, false, kSimpleAll, 3));
  checkQueryTooDeep(errorOf([&] { parseSimpleQueryString("a+b|c+d|e", fields, false, kSimpleAll, 3); }));
  CHECK_NOTHROW(parseSimpleQueryString("((a b) c)", fields, false, kSimpleAll, 3));
  checkQueryTooDeep(errorOf([&] { parseSimpleQueryString("((((a))))", fields, false, kSimpleAll, 3); }));
  checkQueryTooDeep(errorOf([&] { parseSimpleQueryString("-(-(-(a b)))", fields, false, kSimpleAll, 3); }));
  // 50,000 deep, by the default limit: closed groups, and operator changes with no group.
  checkQueryTooDeep(errorOf([&] {
    parseSimpleQueryString(repeat("(", 50'000) + "a" + repeat(")", 50'000), fields, false);
  }));
  checkQueryTooDeep(errorOf([&] { parseSimpleQueryString(repeat("a+b|", 50'000) + "c", fields, false); }));
  // Groups never closed are text, as before; finding that out is linear, not a scan per `(`.
  const auto started = std::chrono::steady_clock::now();
  const auto open = parseSimpleQueryString(repeat("(", 200'000) + "a", fields, false);
  CHECK(open.kind == Query::Kind::multiMatch);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  // Groups and escapes still pair as they did.
  const auto escaped = parseSimpleQueryString(R"((a \) b) c)", fields, false);
  CHECK(escaped.kind == Query::Kind::boolean);
}

TEST_CASE("aggregations: 20 levels deep are accepted, 21 refused naming the limit") {
  CHECK(parseSearchRequest(json{{"aggs", nestedAggs(20)}}).aggs.size() == 1);
  const auto error = errorOf([&] { parseSearchRequest(json{{"aggs", nestedAggs(21)}}); });
  CHECK(error.status() == 400);
  CHECK(error.type() == "illegal_argument_exception");
  CHECK(std::string(error.what()) ==
        "The nested depth of the aggregations exceeds the maximum nested depth for aggregations set in "
        "[data.search.maxAggregationDepth] (20)");
  DepthLimits limits;
  limits.aggregations = 2;
  CHECK_NOTHROW(parseSearchRequest(json{{"aggs", nestedAggs(2)}}, limits));
  CHECK(errorOf([&] { parseSearchRequest(json{{"aggs", nestedAggs(3)}}, limits); }).status() == 400);
  CHECK(errorOf([&] { parseSearchRequest(wrap("aggs", nestedAggs(50'000))); }).status() == 400);
}

TEST_CASE("index.mapping.depth.limit: explicit mappings within it are created, deeper ones refused") {
  EngineFixture f;
  // 19 object fields below the root: depth 20.
  CHECK_NOTHROW(f.create("at-limit", json{{"mappings", nestedProperties(19)}}));
  const auto error = errorOf([&] { f.create("past-limit", json{{"mappings", nestedProperties(20)}}); });
  CHECK(error.status() == 400);
  CHECK(error.type() == "illegal_argument_exception");
  CHECK(std::string(error.what()) == "Limit of mapping depth [20] has been exceeded due to object field [" +
                                         repeat("o.", 19) + "o]");
  CHECK(f.engine.findIndex("past-limit") == nullptr);
  // Per index, nested or dotted, and a dotted field name stands for its objects.
  const json settings = {{"index", {{"mapping", {{"depth", {{"limit", 3}}}}}}}};
  auto index = f.create("three", json{{"settings", settings}, {"mappings", nestedProperties(2)}});
  CHECK(index->settingsJson()["index"]["mapping"]["depth"]["limit"] == "3");
  CHECK(errorOf([&] {
          f.create("three-b", json{{"settings", {{"index.mapping.depth.limit", "3"}}}, {"mappings", nestedProperties(3)}});
        }).status() == 400);
  CHECK_NOTHROW(f.create("dotted-ok", json{{"settings", settings}, {"mappings", {{"properties", {{"a.b.c", {{"type", "long"}}}}}}}}));
  CHECK(std::string(errorOf([&] {
                      f.create("dotted", json{{"settings", settings},
                                              {"mappings", {{"properties", {{"a.b.c.d", {{"type", "long"}}}}}}}});
                    }).what()) == "Limit of mapping depth [3] has been exceeded due to object field [a.b.c]");
  CHECK(errorOf([&] { f.create("bad", json{{"settings", {{"index.mapping.depth.limit", 0}}}}); }).status() == 400);
  CHECK(errorOf([&] { f.create("bad", json{{"settings", {{"index.mapping.depth.limit", "x"}}}}); }).status() == 400);
}

TEST_CASE("index.mapping.depth.limit: dynamic mapping from documents within it, deeper documents refused unstored") {
  EngineFixture f;
  f.create("docs");
  auto results = f.load("docs", {nestedDocument(19)});
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].error);
  results = f.load("docs", {json{{"_id_", "deep"}, {"x", nestedDocument(20)}}});
  REQUIRE(results[0].error);
  CHECK(results[0].error->type() == "illegal_argument_exception");
  CHECK(std::string(results[0].error->what()) == "Limit of mapping depth [20] has been exceeded due to object field [x." +
                                                     repeat("o.", 18) + "o]");
  CHECK_FALSE(f.engine.index("docs")->get("deep"));
  CHECK(f.engine.index("docs")->mapping().find("x") == nullptr);
  // Objects inside arrays, and dotted keys, are objects too.
  json inArray = nestedDocument(19);
  inArray = json{{"list", json::array({inArray})}};
  CHECK(f.load("docs", {inArray})[0].error);
  CHECK(f.load("docs", {json{{repeat("k.", 20) + "k", 1}}})[0].error);
  CHECK_FALSE(f.load("docs", {json{{repeat("k.", 19) + "k", 1}}})[0].error);
  // The index's own limit.
  f.create("shallow", json{{"settings", {{"index.mapping.depth.limit", 2}}}});
  CHECK_FALSE(f.load("shallow", {json{{"a", {{"b", 1}}}}})[0].error);
  CHECK(f.load("shallow", {json{{"a", {{"b", {{"c", 1}}}}}}})[0].error);
}

TEST_CASE("bulk: a document nested past the JSON limit fails its item alone; the others apply") {
  EngineFixture f;
  const std::string deep = repeat(R"({"a":)", 6) + "1" + repeat("}", 6);
  const std::string atLimit = repeat(R"({"a":)", 5) + "1" + repeat("}", 5);
  const std::string body = "{\"index\":{\"_id\":\"deep\"}}\n" + deep + "\n" + "{\"index\":{\"_id\":\"ok\"}}\n" + atLimit +
                           "\n" + "{\"update\":{\"_id\":\"ok\"}}\n{\"doc\":" + deep + "}\n" +
                           "{\"create\":{\"_id\":\"after\"}}\n{\"n\":1}\n";
  const auto response = executeBulk(f.engine, parseBulk(body, "b", 5), false);
  CAPTURE(response.dump());
  REQUIRE(response["items"].size() == 4);
  CHECK(response["errors"] == true);
  const auto& first = response["items"][0]["index"];
  CHECK(first["status"] == 400);
  CHECK(first["error"]["type"] == "x_content_parse_exception");
  CHECK(first["error"]["reason"] ==
        "Document nesting depth (6) exceeds the maximum allowed (5, from [data.json.maxNestingDepth])");
  CHECK(response["items"][1]["index"]["status"] == 201);
  CHECK(response["items"][2]["update"]["status"] == 400);
  CHECK(response["items"][3]["create"]["status"] == 201);
  CHECK_FALSE(f.engine.index("b")->get("deep"));
  CHECK(f.engine.index("b")->get("ok"));
  // An action line past the limit is a malformed request, as any bad action line.
  CHECK(errorOf([&] { parseBulk(repeat("{\"index\":", 6) + "{}" + repeat("}", 6) + "\n{}\n", "b", 5); }).status() == 400);
  // 50,000 deep, by the default limit: refused as the item's error, never built.
  const std::string huge = "{\"index\":{\"_id\":\"huge\"}}\n" + repeat("[", 50'000) + repeat("]", 50'000) + "\n";
  const auto hugeResponse = executeBulk(f.engine, parseBulk(huge, "b"), false);
  CHECK(hugeResponse["items"][0]["index"]["error"]["type"] == "x_content_parse_exception");
}

TEST_CASE("source filtering: a stored document as deep as the JSON limit allows is filtered and answered") {
  // index.mapping.depth.limit may be raised to 1000, the JSON limit: filtering a document
  // that deep (recursive over its objects) must answer, not exhaust the stack.
  EngineFixture f;
  f.create("loose", json{{"settings", {{"index.mapping.depth.limit", 1000}, {"index.mapping.total_fields.limit", 2000}}}});
  json deep = json{{"leaf", 1}, {"drop", 2}};
  for (int i = 1; i < orrery::kMaxJsonNestingDepth - 1; ++i) deep = wrap("a", std::move(deep));
  json doc = json::object();
  doc["a"] = std::move(deep);
  doc["_id_"] = "deep";
  REQUIRE_FALSE(f.load("loose", {doc})[0].error);
  const std::string leafPath = repeat("a.", orrery::kMaxJsonNestingDepth - 1) + "leaf";
  const auto result = f.search("loose", json{{"_source", {{"includes", {"a.*"}}, {"excludes", {"*.drop"}}}}});
  REQUIRE(result["hits"]["hits"].size() == 1);
  const json* node = &result["hits"]["hits"][0]["_source"];
  int levels = 0;
  while (node->contains("a")) node = &(*node)["a"], ++levels;
  CHECK(levels == orrery::kMaxJsonNestingDepth - 1);
  CHECK((*node)["leaf"] == 1);
  CHECK_FALSE(node->contains("drop"));
  CHECK(f.search("loose", json{{"_source", {{"includes", {leafPath}}}}})["hits"]["hits"].size() == 1);
}
