// The size limits of a search, each at its limit (accepted) and past it (refused with
// Elasticsearch's error): from + size and index.max_result_window, from/size that do not
// fit a Java int, top_hits within index.max_inner_result_window, search.max_buckets over
// every bucket aggregation (and a tiny interval over wide bounds), and
// index.mapping.total_fields.limit for explicit and dynamic mappings.
#include <doctest/doctest.h>

#include "bulk.hpp"
#include "engine_fixture.hpp"
#include "errors.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

// The error a call throws, as Elasticsearch would show it (empty if none).
template <class F>
json errorOf(F&& call) {
  try {
    call();
  } catch (const EngineError& error) {
    json cause = error.cause();
    cause["status"] = error.status();
    return cause;
  }
  return json();
}

void numbers(EngineFixture& f, const std::string& index, int n, const json& settings = nullptr) {
  f.create(index, settings.is_null() ? json(nullptr) : json{{"settings", settings}});
  std::vector<json> docs;
  // (Keys are appended, not "k" + to_string: g++ 12 -O3 warns falsely of an overlapping memcpy.)
  for (int i = 0; i < n; ++i) {
    docs.push_back(json{{"n", i}, {"k", std::string("k").append(std::to_string(i))}, {"at", 1'700'000'000'000 + i}});
  }
  f.load(index, docs);
}

json searchWithBuckets(EngineFixture& f, const std::string& index, const json& body, std::int64_t maxBuckets) {
  SearchRequest request = parseSearchRequest(body);
  request.maxBuckets = maxBuckets;
  return searchIndices(f.engine.resolve(index), request);
}

}  // namespace

TEST_CASE("from + size: within index.max_result_window on each index, never overflowing") {
  EngineFixture f;
  numbers(f, "w", 3);
  CHECK(f.search("w", json{{"from", 9990}, {"size", 10}})["hits"]["hits"].empty());
  const auto past = errorOf([&] { f.search("w", json{{"from", 9991}, {"size", 10}}); });
  CHECK(past["type"] == "illegal_argument_exception");
  CHECK(past["reason"] ==
        "Result window is too large, from + size must be less than or equal to: [10000] but was [10001]. See the scroll "
        "api for a more efficient way to request large data sets. This limit can be set by changing the "
        "[index.max_result_window] index level setting.");

  // The index's own setting, in both spellings Elasticsearch accepts.
  numbers(f, "small", 3, json{{"index.max_result_window", 5}});
  CHECK(f.search("small", json{{"from", 2}, {"size", 3}})["hits"]["hits"].size() == 1);
  CHECK(errorOf([&] { f.search("small", json{{"from", 3}, {"size", 3}}); })["reason"].get<std::string>().find("[5] but was [6]") !=
        std::string::npos);
  numbers(f, "nested", 1, json{{"index", {{"max_result_window", "7"}}}});
  CHECK(f.engine.index("nested")->settings().maxResultWindow == 7);
  CHECK(errorOf([&] { f.create("bad", json{{"settings", {{"index.max_result_window", 0}}}}); })["reason"] ==
        "Failed to parse value [0] for setting [index.max_result_window] must be >= 1 and <= 2147483647");

  // Values that do not fit Elasticsearch's int: refused when parsed, named, never summed.
  for (const json& huge : {json(9223372036854775807LL), json(18446744073709551615ULL), json(2147483648LL), json(1e30),
                           json("99999999999999999999")}) {
    CAPTURE(huge.dump());
    for (const char* key : {"from", "size"}) {
      const auto error = errorOf([&] { parseSearchRequest(json{{key, huge}}); });
      CHECK(error["status"] == 400);
      CHECK(error["type"] == "x_content_parse_exception");
      CHECK(error["reason"] == "[search] failed to parse field [" + std::string(key) + "]");
      CHECK(error["caused_by"]["reason"].get<std::string>().starts_with("Numeric value ("));
    }
  }
  CHECK(errorOf([&] { parseSearchRequest(json{{"from", -1}}); })["reason"] == "[from] parameter cannot be negative, found [-1]");
  CHECK(errorOf([&] { parseSearchRequest(json{{"size", -9223372036854775807LL}}); })["type"] == "x_content_parse_exception");
  CHECK(parseSearchRequest(json{{"size", 2147483647}}).size == 2147483647);  // an int: accepted, refused by the window
  CHECK(parseSearchRequest(json{{"size", 2.9}}).size == 2);                  // Elasticsearch truncates
  CHECK(parseSearchRequest(json{{"from", "4"}}).from == 4);                  // and reads numeric strings
  const auto sum = errorOf([&] { f.search("w", json{{"from", 2147483647}, {"size", 2147483647}}); });
  CHECK(sum["reason"].get<std::string>().find("but was [4294967294]") != std::string::npos);

  // track_total_hits and search_after likewise.
  CHECK(errorOf([&] { parseSearchRequest(json{{"track_total_hits", 9223372036854775807LL}}); })["reason"] ==
        "[search] failed to parse field [track_total_hits]");
  CHECK(parseSearchRequest(json{{"track_total_hits", 2147483647}}).trackTotalHits == 2147483647);
  CHECK(parseSearchRequest(json{{"track_total_hits", -1}}).trackTotalHits == -1);
  CHECK(errorOf([&] { parseSearchRequest(json{{"track_total_hits", -2}}); })["type"] == "illegal_argument_exception");
  CHECK(f.search("w", json{{"track_total_hits", 2147483647}})["hits"]["total"]["value"] == 3);
  CHECK(errorOf([&] { parseSearchRequest(json{{"sort", {"n"}}, {"search_after", {json::object()}}}); })["type"] == "parsing_exception");

  // URI parameters.
  SearchRequest uri;
  CHECK(errorOf([&] { applySearchParameters(uri, {{"size", "abc"}}); })["reason"] == "Failed to parse int parameter [size] with value [abc]");
  CHECK(errorOf([&] { applySearchParameters(uri, {{"from", "9223372036854775807"}}); })["reason"] ==
        "Failed to parse int parameter [from] with value [9223372036854775807]");
  CHECK(errorOf([&] { applySearchParameters(uri, {{"from", "-3"}}); })["reason"] == "[from] parameter cannot be negative, found [-3]");
}

TEST_CASE("top_hits: from + size within index.max_inner_result_window") {
  EngineFixture f;
  numbers(f, "t", 5);
  const auto topHits = [](int from, int size) {
    return json{{"size", 0}, {"aggs", {{"top", {{"top_hits", {{"from", from}, {"size", size}}}}}}}};
  };
  CHECK(f.search("t", topHits(0, 100))["aggregations"]["top"]["hits"]["hits"].size() == 5);
  CHECK(f.search("t", topHits(3, 97))["aggregations"]["top"]["hits"]["hits"].size() == 2);  // from skips hits
  const auto past = errorOf([&] { f.search("t", topHits(1, 100)); });
  CHECK(past["type"] == "illegal_argument_exception");
  CHECK(past["reason"] ==
        "Top hits result window is too large, the top hits aggregator [top]'s from + size must be less than or equal "
        "to: [100] but was [101]. This limit can be set by changing the [index.max_inner_result_window] index level "
        "setting.");
  numbers(f, "wide", 2, json{{"index.max_inner_result_window", 500}});
  CHECK(f.search("wide", topHits(100, 400))["aggregations"]["top"]["hits"]["hits"].empty());
  CHECK(errorOf([&] { f.search("wide", topHits(100, 401)); })["reason"].get<std::string>().find("[500] but was [501]") !=
        std::string::npos);
  CHECK(errorOf([&] { f.search("t", topHits(0, -1)); })["reason"] == "[size] must be greater than or equal to 0. Found [-1] in [top]");
  CHECK(errorOf([&] { f.search("t", json{{"aggs", {{"top", {{"top_hits", {{"size", 9223372036854775807LL}}}}}}}}); })["reason"] ==
        "[top_hits] failed to parse field [size]");
}

TEST_CASE("search.max_buckets: every bucket aggregation, nested ones together, and the reduced response") {
  EngineFixture f;
  numbers(f, "b", 100, json{{"number_of_shards", 2}});
  const auto terms = json{{"size", 0}, {"aggs", {{"t", {{"terms", {{"field", "k.keyword"}, {"size", 100}}}}}}}};
  CHECK(searchWithBuckets(f, "b", terms, 100)["aggregations"]["t"]["buckets"].size() == 100);
  const auto tooMany = errorOf([&] { searchWithBuckets(f, "b", terms, 99); });
  CHECK(tooMany["type"] == "too_many_buckets_exception");
  CHECK(tooMany["max_buckets"] == 99);
  CHECK(tooMany["reason"].get<std::string>().starts_with("Trying to create too many buckets. Must be less than or equal to: [99] but was ["));
  CHECK(tooMany["reason"].get<std::string>().ends_with("This limit can be set by changing the [search.max_buckets] cluster level setting."));
  // A small size keeps a shard to its shard_size best: no refusal for a field with many terms.
  const auto small = json{{"size", 0}, {"aggs", {{"t", {{"terms", {{"field", "k.keyword"}, {"size", 3}}}}}}}};
  CHECK(searchWithBuckets(f, "b", small, 40)["aggregations"]["t"]["sum_other_doc_count"] == 97);

  const auto histogram = json{{"size", 0}, {"aggs", {{"h", {{"histogram", {{"field", "n"}, {"interval", 1}}}}}}}};
  CHECK(searchWithBuckets(f, "b", histogram, 100)["aggregations"]["h"]["buckets"].size() == 100);
  CHECK(errorOf([&] { searchWithBuckets(f, "b", histogram, 99); })["type"] == "too_many_buckets_exception");

  // A tiny interval over wide bounds stops at the limit instead of making billions.
  const auto wide = json{{"size", 0},
                         {"aggs", {{"d", {{"date_histogram", {{"field", "at"}, {"fixed_interval", "1ms"},
                                                              {"extended_bounds", {{"min", 0}, {"max", 4'000'000'000'000'000LL}}}}}}}}}};
  CHECK(errorOf([&] { f.search("b", wide); })["type"] == "too_many_buckets_exception");
  const auto wideHistogram = json{{"size", 0},
                                  {"aggs", {{"h", {{"histogram", {{"field", "n"}, {"interval", 1e-300},
                                                                  {"extended_bounds", {{"min", 0}, {"max", 1e300}}}}}}}}}};
  CHECK(errorOf([&] { f.search("b", wideHistogram); })["type"] == "too_many_buckets_exception");
  // An interval too small to move a large key still ends.
  const auto stuck = json{{"size", 0},
                          {"aggs", {{"h", {{"histogram", {{"field", "n"}, {"interval", 1e-3},
                                                          {"extended_bounds", {{"min", 1e300}, {"max", 2e300}}}}}}}}}};
  CHECK(errorOf([&] { f.search("b", stuck); })["type"] == "too_many_buckets_exception");

  const auto ranges = json{{"size", 0},
                           {"aggs", {{"r", {{"range", {{"field", "n"}, {"ranges", {{{"to", 10}}, {{"from", 10}, {"to", 20}}, {{"from", 20}}}}}}}}}}};
  CHECK(searchWithBuckets(f, "b", ranges, 3)["aggregations"]["r"]["buckets"].size() == 3);
  CHECK(errorOf([&] { searchWithBuckets(f, "b", ranges, 2); })["type"] == "too_many_buckets_exception");
  const auto filters = json{{"size", 0},
                            {"aggs", {{"f", {{"filters", {{"filters", {{"a", {{"match_all", json::object()}}}, {"b", {{"term", {{"n", 1}}}}}}}}}}}}}};
  CHECK(searchWithBuckets(f, "b", filters, 2)["aggregations"]["f"]["buckets"].size() == 2);
  CHECK(errorOf([&] { searchWithBuckets(f, "b", filters, 1); })["type"] == "too_many_buckets_exception");

  // Nested: 10 ranges × the terms under each count together.
  json nested = {{"size", 0}, {"aggs", {{"h", {{"histogram", {{"field", "n"}, {"interval", 10}}},
                                                {"aggs", {{"t", {{"terms", {{"field", "k.keyword"}, {"size", 10}}}}}}}}}}}};
  CHECK(searchWithBuckets(f, "b", nested, 110)["aggregations"]["h"]["buckets"].size() == 10);
  CHECK(errorOf([&] { searchWithBuckets(f, "b", nested, 100); })["type"] == "too_many_buckets_exception");
}

TEST_CASE("index.mapping.total_fields.limit: explicit mappings and dynamic fields past it are refused, nothing stored") {
  EngineFixture f;
  const json five = {{"properties", {{"a", {{"type", "long"}}}, {"b", {{"type", "long"}}}, {"o", {{"properties", {{"c", {{"type", "long"}}}, {"d", {{"type", "long"}}}}}}}}}};
  CHECK_NOTHROW(f.create("five", json{{"settings", {{"index.mapping.total_fields.limit", 5}}}, {"mappings", five}}));
  const auto explicitPast = errorOf([&] { f.create("four", json{{"settings", {{"index.mapping.total_fields.limit", 4}}}, {"mappings", five}}); });
  CHECK(explicitPast["type"] == "illegal_argument_exception");
  CHECK(explicitPast["reason"] == "Limit of total fields [4] has been exceeded while adding new fields [5]");
  CHECK_FALSE(f.engine.findIndex("four"));

  // Dynamic: a text field is two (its .keyword), an object one more.
  f.create("dyn", json{{"settings", {{"index", {{"mapping", {{"total_fields", {{"limit", 4}}}}}}}}}});
  auto index = f.engine.index("dyn");
  CHECK_FALSE(f.load("dyn", {json{{"_id_", "1"}, {"t", "text"}, {"o", {{"x", 1}}}}}).front().error);
  CHECK(index->mapping().fields().size() == 3);
  const auto refused = f.load("dyn", {json{{"_id_", "2"}, {"n", 1}}, json{{"_id_", "3"}, {"o", {{"x", 2}}}}});
  REQUIRE(refused[0].error);
  CHECK(refused[0].error->type() == "mapper_parsing_exception");
  CHECK(std::string(refused[0].error->what()) == "failed to parse: Limit of total fields [4] has been exceeded while adding new fields [1]");
  CHECK(refused[0].error->cause()["caused_by"]["type"] == "illegal_argument_exception");
  CHECK_FALSE(refused[1].error);  // no new field: stored
  CHECK_FALSE(index->get("2"));
  CHECK(index->mapping().find("n") == nullptr);
  CHECK(f.search("dyn", json{{"query", {{"exists", {{"field", "n"}}}}}})["hits"]["total"]["value"] == 0);

  // The default, 1,000: a document with 1,000 new fields is stored, one more field is not.
  json wide = json::object();
  for (int i = 0; i < 1000; ++i) wide[std::string("f").append(std::to_string(i))] = i;
  CHECK_FALSE(f.load("thousand", {wide}).front().error);
  const auto more = f.load("thousand", {json{{"_id_", "x"}, {"extra", 1}}});
  REQUIRE(more.front().error);
  CHECK(std::string(more.front().error->what()).find("Limit of total fields [1000]") != std::string::npos);

  // Through _bulk and a partial update: the item fails alone.
  const auto result = executeBulk(f.engine, parseBulk("{\"update\":{\"_id\":\"1\"}}\n{\"doc\":{\"new1\":1}}\n{\"index\":{\"_id\":\"9\"}}\n{\"t\":\"again\"}\n", "dyn"), false);
  CHECK(result["items"][0]["update"]["error"]["type"] == "mapper_parsing_exception");
  CHECK(result["items"][1]["index"]["result"] == "created");
  CHECK(index->get("1")->source.find("new1") == std::string::npos);
}
