// Wrong-typed values anywhere in a request are 400s naming the field, never a nlohmann
// type_error (which the HTTP layer could only answer with a 500): a table of request
// bodies, each searched for real, each checked for an EngineError of status 400 whose
// reason (or caused_by) names the field. Also the search timeout, and the bulk update's
// doc_as_upsert.
#include <doctest/doctest.h>

#include "bulk.hpp"
#include "engine_fixture.hpp"
#include "errors.hpp"
#include "json_params.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

json aggs(const std::string& type, const json& params) { return json{{"aggs", {{"a", {{type, params}}}}}}; }

}  // namespace

TEST_CASE("every wrong-typed value in a search body is a 400 naming its field") {
  EngineFixture f;
  f.create("w", json{{"mappings", {{"properties", {{"k", {{"type", "keyword"}}}, {"n", {{"type", "long"}}}, {"t", {{"type", "text"}}}, {"at", {{"type", "date"}}}}}}}});
  f.load("w", {json{{"k", "a"}, {"n", 1}, {"t", "hello world"}, {"at", "2024-01-01T00:00:00Z"}}});
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"size", "x"}}, "size"},
      {{{"size", json::object()}}, "size"},
      {{{"from", "a"}}, "from"},
      {{{"from", true}}, "from"},
      {{{"sort", 5}}, "sort"},
      {{{"sort", {{{"n", 5}}}}}, "sort"},
      {{{"_source", 3}}, "_source"},
      {{{"track_total_hits", "x"}}, "track_total_hits"},
      {{{"track_total_hits", json::array()}}, "track_total_hits"},
      {{{"track_scores", "x"}}, "track_scores"},
      {{{"min_score", "x"}}, "min_score"},
      {{{"timeout", 5}}, "timeout"},
      {{{"timeout", "abc"}}, "timeout"},
      {{{"timeout", "-5s"}}, "timeout"},
      {{{"timeout", "99999999999999999999d"}}, "timeout"},
      {{{"timeout", json::object()}}, "timeout"},
      {{{"search_after", 5}}, "search_after"},
      {{{"sort", {"n"}}, {"search_after", {{1, 2}}}}, "search_after"},
      {aggs("terms", {{"field", "k"}, {"size", "x"}}), "size"},
      {aggs("terms", {{"field", "k"}, {"size", 1.5e10}}), "size"},
      {aggs("terms", {{"field", "k"}, {"size", 0}}), "size"},
      {aggs("terms", {{"field", "k"}, {"shard_size", "x"}}), "shard_size"},
      {aggs("terms", {{"field", "k"}, {"min_doc_count", "x"}}), "min_doc_count"},
      {aggs("terms", {{"field", "k"}, {"min_doc_count", -1}}), "minDocCount"},
      {aggs("terms", {{"field", "k"}, {"order", 5}}), "order"},
      {aggs("terms", {{"field", "k"}, {"order", {{"_count", 5}}}}), "order"},
      {aggs("terms", {{"field", "k"}, {"missing", json::object()}}), "missing"},
      {aggs("terms", {{"field", 5}}), "field"},
      {aggs("histogram", {{"field", "n"}, {"interval", "x"}}), "interval"},
      {aggs("histogram", {{"field", "n"}, {"interval", 1}, {"offset", "x"}}), "offset"},
      {aggs("histogram", {{"field", "n"}, {"interval", 1}, {"min_doc_count", json::array()}}), "min_doc_count"},
      {aggs("histogram", {{"field", "n"}, {"interval", 1}, {"extended_bounds", 5}}), "extended_bounds"},
      {aggs("histogram", {{"field", "n"}, {"interval", 1}, {"extended_bounds", {{"min", "x"}}}}), "min"},
      {aggs("histogram", {{"field", "n"}, {"interval", 1}, {"keyed", "x"}}), "keyed"},
      {aggs("date_histogram", {{"field", "at"}, {"fixed_interval", 5}}), "5"},
      {aggs("date_histogram", {{"field", "at"}, {"fixed_interval", "999999999999d"}}), "fixedInterval"},
      {aggs("date_histogram", {{"field", "at"}, {"calendar_interval", "day"}, {"extended_bounds", {{"max", true}}}}), "max"},
      {aggs("date_histogram", {{"field", "at"}, {"calendar_interval", "day"}, {"time_zone", 5}}), "time_zone"},
      {aggs("top_hits", {{"size", "x"}}), "size"},
      {aggs("top_hits", {{"from", -1}}), "from"},
      {aggs("top_hits", {{"sort", 5}}), "sort"},
      {aggs("top_hits", {{"_source", 5}}), "_source"},
      {aggs("percentiles", {{"field", "n"}, {"percents", "x"}}), "percents"},
      {aggs("percentiles", {{"field", "n"}, {"percents", {"x"}}}), "percents"},
      {aggs("percentiles", {{"field", "n"}, {"percents", {101}}}), "percent"},
      {aggs("percentiles", {{"field", "n"}, {"tdigest", 5}}), "tdigest"},
      {aggs("percentiles", {{"field", "n"}, {"tdigest", {{"compression", "x"}}}}), "compression"},
      {aggs("cardinality", {{"field", "k"}, {"precision_threshold", "x"}}), "precision_threshold"},
      {aggs("avg", {{"field", "n"}, {"missing", json::array()}}), "missing"},
      {aggs("range", {{"field", "n"}, {"ranges", {5}}}), "ranges"},
      {aggs("range", {{"field", "n"}, {"ranges", {{{"from", json::object()}}}}}), "from"},
      {aggs("range", {{"field", "n"}, {"ranges", {{{"to", 5}, {"key", 5}}}}}), "key"},
      {{{"query", {{"match", {{"t", {{"query", "x"}, {"boost", "x"}}}}}}}}, "boost"},
      {{{"query", {{"match", {{"t", {{"query", "x"}, {"operator", json::array()}}}}}}}}, "operator"},
      {{{"query", {{"match", {{"t", {{"query", "x"}, {"fuzziness", json::object()}}}}}}}}, "fuzziness"},
      {{{"query", {{"match_phrase", {{"t", {{"query", "x"}, {"slop", "x"}}}}}}}}, "slop"},
      {{{"query", {{"term", {{"k", {{"value", "a"}, {"boost", json::object()}}}}}}}}, "boost"},
      {{{"query", {{"terms", {{"k", 5}}}}}}, "terms"},
      {{{"query", {{"range", {{"n", {{"gte", json::object()}}}}}}}}, "n"},
      {{{"query", {{"bool", {{"minimum_should_match", json::object()}}}}}}, "minimum_should_match"},
      {{{"query", {{"multi_match", {{"query", "x"}, {"tie_breaker", "x"}}}}}}, "tie_breaker"},
      {{{"query", {{"query_string", {{"query", "x"}, {"default_operator", json::object()}}}}}}, "default_operator"},
  };
  for (const auto& [body, field] : cases) {
    CAPTURE(body.dump());
    bool threw = false;
    try {
      f.search("w", body);
    } catch (const EngineError& error) {
      threw = true;
      CHECK(error.status() == 400);
      CHECK(error.cause().dump().find(field) != std::string::npos);
    } catch (const std::exception& error) {
      FAIL("not an Elasticsearch error: " << error.what());  // a 500 through the API
    }
    CHECK(threw);
  }
}

TEST_CASE("the safety net: a nlohmann exception becomes a 400 x_content_parse_exception") {
  try {
    (void)json("x").get<int>();
    FAIL("no exception");
  } catch (const json::exception& e) {
    const EngineError error = jsonValueError(e);
    CHECK(error.status() == 400);
    CHECK(error.type() == "x_content_parse_exception");
    CHECK(std::string(error.what()) == "failed to parse the request: a value has the wrong type (type must be number, but is string)");
  }
}

TEST_CASE("bulk update: doc_as_upsert must be a boolean; the item fails alone, naming the field") {
  EngineFixture f;
  const auto items = parseBulk(
      "{\"update\":{\"_id\":\"1\"}}\n{\"doc\":{\"a\":1},\"doc_as_upsert\":\"yes\"}\n"
      "{\"update\":{\"_id\":\"2\"}}\n{\"doc\":{\"a\":2},\"doc_as_upsert\":\"true\"}\n",
      "u");
  REQUIRE(items.size() == 2);
  REQUIRE(items[0].error);
  CHECK(items[0].error->status() == 400);
  CHECK(items[0].error->type() == "x_content_parse_exception");
  CHECK(std::string(items[0].error->what()) == "[UpdateRequest] failed to parse field [doc_as_upsert]");
  CHECK(items[0].error->cause()["caused_by"]["reason"] == "Failed to parse value [yes] as only [true] or [false] are allowed.");
  CHECK_FALSE(items[1].error);
  CHECK(items[1].op.docAsUpsert);
}

TEST_CASE("the search timeout: the shard stops where it is and answers timed_out with what it found") {
  EngineFixture f;
  f.create("slow", json{{"settings", {{"number_of_shards", 2}}}});
  std::vector<json> docs;
  for (int i = 0; i < 4000; ++i) docs.push_back(json{{"n", i}, {"word", std::string("w").append(std::to_string(i % 97))}});
  f.load("slow", docs);
  const json base = {{"size", 1000}, {"sort", {"_doc"}}, {"track_total_hits", true}};
  const auto full = f.search("slow", base);
  CHECK(full["timed_out"] == false);
  CHECK(full["hits"]["hits"].size() == 1000);
  CHECK(full["hits"]["total"]["value"] == 4000);

  // A deadline one nanosecond after the shard starts has passed at SQLite's first
  // progress check (every 1,000 instructions), so the result is deterministic: each
  // shard stops inside its first statement (here while sorting, before any hit is out)
  // and answers what it has.
  json body = base;
  body["timeout"] = "1nanos";
  const auto partial = f.search("slow", body);
  CHECK(partial["timed_out"] == true);
  CHECK(partial["_shards"]["successful"] == 2);
  CHECK(partial["_shards"]["failed"] == 0);
  CHECK(partial["hits"]["hits"].size() < 1000);
  CHECK(partial["hits"]["total"]["value"].get<std::int64_t>() >= static_cast<std::int64_t>(partial["hits"]["hits"].size()));

  // Aggregations stop too; the response still has the shape.
  json withAggs = {{"size", 0}, {"timeout", "0"}, {"aggs", {{"words", {{"terms", {{"field", "word.keyword"}}}}}}}};
  const auto aggs = f.search("slow", withAggs);
  CHECK(aggs["timed_out"] == true);
  CHECK(aggs["aggregations"]["words"]["buckets"].is_array());

  // -1 is no timeout; a long one is not reached.
  body["timeout"] = "-1";
  CHECK(f.search("slow", body)["hits"]["hits"].size() == 1000);
  body["timeout"] = "1h";
  CHECK(f.search("slow", body)["timed_out"] == false);

  // The URI parameter.
  SearchRequest request = parseSearchRequest(base);
  applySearchParameters(request, {{"timeout", "1nanos"}});
  CHECK(searchIndices(f.engine.resolve("slow"), request)["timed_out"] == true);
  CHECK_THROWS_WITH_AS(applySearchParameters(request, {{"timeout", "soon"}}),
                       "failed to parse setting [timeout] with value [soon] as a time value: unit is missing or unrecognized",
                       EngineError);
}
