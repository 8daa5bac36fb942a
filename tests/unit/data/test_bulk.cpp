// The _bulk path at the size where documents are parsed and mapped on a helper thread
// while the shard writer writes (Index::kPrepareAheadMin and more): every item's outcome
// in order, per-item failures that do not sink the others, updates and deletes that see
// earlier items of the same request, dynamic mapping in document order, _source stored
// as sent, and generated ids.
#include <doctest/doctest.h>

#include <set>

#include "bulk.hpp"
#include "engine_fixture.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

json bulk(EngineFixture& f, const std::string& body) { return executeBulk(f.engine, parseBulk(body, "b"), false); }

}  // namespace

TEST_CASE("a large bulk request: each item's outcome in order, bad items failing alone") {
  EngineFixture f;
  std::string body;
  const int n = static_cast<int>(Index::kPrepareAheadMin) * 3;
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    if (i == 10) {
      body += "{\"index\":{\"_id\":\"10\"}}\n{not json\n";  // a bad document line
    } else if (i == 20) {
      body += "{\"index\":{\"_id\":\"20\"}}\n{\"n\":\"twenty\"}\n";  // n is mapped long by document 0
    } else if (i == 30) {
      body += "{\"create\":{\"_id\":\"5\"}}\n{\"n\":30}\n";  // 5 exists: written earlier in this request
    } else if (i == 40) {
      body += "{\"update\":{\"_id\":\"6\"}}\n{\"doc\":{\"extra\":\"added\"}}\n";  // 6: earlier in this request
    } else if (i == 50) {
      body += "{\"delete\":{\"_id\":\"7\"}}\n";
    } else if (i == 60) {
      body += "{\"index\":{\"_id\":\"60\"}}\n{\"n\":60,  \"spaced\" : true}\n";  // stored as sent
    } else {
      body += "{\"index\":{\"_id\":\"" + id + "\"}}\n{\"n\":" + id + "}\n";
    }
  }
  const auto response = bulk(f, body);
  CHECK(response["errors"] == true);
  const auto& items = response["items"];
  REQUIRE(items.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    CAPTURE(i);
    const auto& item = items[static_cast<std::size_t>(i)];
    if (i == 10) {
      CHECK(item["index"]["status"] == 400);
      CHECK(item["index"]["error"]["type"] == "mapper_parsing_exception");
      CHECK(item["index"]["error"]["reason"].get<std::string>().find("line [22]") != std::string::npos);
    } else if (i == 20) {
      CHECK(item["index"]["status"] == 400);
      CHECK(item["index"]["error"]["type"] == "mapper_parsing_exception");
    } else if (i == 30) {
      CHECK(item["create"]["status"] == 409);
      CHECK(item["create"]["error"]["type"] == "version_conflict_engine_exception");
    } else if (i == 40) {
      CHECK(item["update"]["result"] == "updated");
      CHECK(item["update"]["_version"] == 2);
    } else if (i == 50) {
      CHECK(item["delete"]["result"] == "deleted");
    } else {
      CHECK(item["index"]["result"] == "created");
      CHECK(item["index"]["_version"] == 1);
      CHECK(item["index"]["_id"] == std::to_string(i));
    }
  }
  auto index = f.engine.resolve("b").at(0);
  // Items 30, 40 and 50 name other documents; 10 and 20 were refused; 7 was deleted.
  CHECK(index->count() == n - 6);
  CHECK_FALSE(index->get("10"));
  CHECK_FALSE(index->get("20"));
  CHECK_FALSE(index->get("7"));
  CHECK(json::parse(index->get("6")->source) == json{{"n", 6}, {"extra", "added"}});
  CHECK(json::parse(index->get("5")->source) == json{{"n", 5}});
  CHECK(index->get("60")->source == std::string("{\"n\":60,  \"spaced\" : true}"));
  CHECK((index->mapping().find("n")->type == FieldType::long_));
  CHECK(f.search("b", json{{"query", {{"range", {{"n", {{"gte", 100}}}}}}}})["hits"]["total"]["value"] == n - 100);
}

TEST_CASE("dynamic mapping in a large bulk request follows document order") {
  EngineFixture f;
  std::string body;
  const int n = static_cast<int>(Index::kPrepareAheadMin) * 2;
  for (int i = 0; i < n; ++i) {
    // The first document to hold `v` decides its type (a string here); later numbers fit a
    // text/keyword field as strings, as Elasticsearch coerces them.
    body += "{\"index\":{}}\n";
    body += i == 3 ? "{\"v\":\"first\"}\n" : i > 3 ? "{\"v\":" + std::to_string(i) + "}\n" : "{\"w\":1}\n";
  }
  const auto response = bulk(f, body);
  CHECK(response["errors"] == false);
  auto index = f.engine.resolve("b").at(0);
  CHECK((index->mapping().find("v")->type == FieldType::text));
  CHECK((index->mapping().find("w")->type == FieldType::long_));
}

TEST_CASE("generated ids are 20 URL-safe characters, unique, and sort in the order they were made") {
  EngineFixture f;
  std::string body;
  const int n = static_cast<int>(Index::kPrepareAheadMin) * 4;
  for (int i = 0; i < n; ++i) body += "{\"index\":{}}\n{\"i\":" + std::to_string(i) + "}\n";
  const auto response = bulk(f, body);
  REQUIRE(response["errors"] == false);
  std::set<std::string> seen;
  std::string previous;
  for (const auto& item : response["items"]) {
    const auto id = item["index"]["_id"].get<std::string>();
    CHECK(id.size() == 20);
    CHECK(id.find_first_not_of("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz") == std::string::npos);
    CHECK(previous < id);
    previous = id;
    seen.insert(id);
  }
  CHECK(seen.size() == static_cast<std::size_t>(n));
  CHECK(f.engine.resolve("b").at(0)->count() == n);
  // A second request's ids come after the first's.
  const auto again = bulk(f, "{\"index\":{}}\n{\"i\":-1}\n");
  CHECK(previous < again["items"][0]["index"]["_id"].get<std::string>());
}
