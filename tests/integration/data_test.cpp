// The data plugin through the real binary and real HTTP: the Elasticsearch-compatible
// API under /es — indices, documents, bulk with partial failure, search with
// aggregations, count, _cat/indices — its error shapes, durability across a restart, and
// an index whose files do not open.
#include <csignal>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "es_checks.hpp"
#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"

using harness::HostSetup;
using harness::HttpClient;
using harness::checkElasticsearchError;
using json = nlohmann::json;

namespace {

struct DataHost : harness::RunningHost {
  DataHost() {
    setup.writeConfig("security:\n  enabled: false\nlogging:\n  loggers:\n    http.access: warn\n");
    start();
  }
};

const harness::Headers kJson{{"Content-Type", "application/json"}};

}  // namespace

TEST_CASE("GET / describes the cluster and says it is Elasticsearch") {
  DataHost host;
  HttpClient client(host.port);
  const auto result = client.get("/es/");
  REQUIRE(result.status == 200);
  CHECK(result.header("X-Elastic-Product") == "Elasticsearch");
  const auto body = result.json();
  CHECK(body["tagline"] == "You Know, for Search");
  CHECK(body["version"]["number"].get<std::string>().starts_with("8."));
  CHECK(body.contains("cluster_name"));
}

TEST_CASE("index lifecycle and its errors: create, exists, get, delete, not found, already exists, bad name") {
  DataHost host;
  HttpClient client(host.port);
  const auto created = client.send("PUT", "/es/books", R"({"settings":{"number_of_shards":2},"mappings":{"properties":{"title":{"type":"text"}}}})", kJson);
  REQUIRE(created.status == 200);
  CHECK(created.json() == json{{"acknowledged", true}, {"shards_acknowledged", true}, {"index", "books"}});
  CHECK(client.send("HEAD", "/es/books").status == 200);
  CHECK(client.send("HEAD", "/es/nothing").status == 404);
  const auto got = client.get("/es/books").json();
  CHECK(got["books"]["mappings"]["properties"]["title"]["type"] == "text");
  CHECK(got["books"]["settings"]["index"]["number_of_shards"] == "2");
  checkElasticsearchError(client.send("PUT", "/es/books", "", kJson), 400, "resource_already_exists_exception");
  checkElasticsearchError(client.send("PUT", "/es/Books", "", kJson), 400, "invalid_index_name_exception");
  checkElasticsearchError(client.get("/es/nothing/_search"), 404, "index_not_found_exception");
  CHECK(client.get("/es/nothing/_search").json()["error"]["index"] == "nothing");
  CHECK(client.send("DELETE", "/es/books").json() == json{{"acknowledged", true}});
  checkElasticsearchError(client.send("DELETE", "/es/books"), 404, "index_not_found_exception");
}

TEST_CASE("documents: index, get, update, create conflict, delete, and mapper errors") {
  DataHost host;
  HttpClient client(host.port);
  const auto put = client.send("PUT", "/es/docs/_doc/1?refresh=true", R"({"name":"one","n":1})", kJson);
  REQUIRE(put.status == 201);
  CHECK(put.json()["result"] == "created");
  CHECK(put.json()["_version"] == 1);
  const auto again = client.send("PUT", "/es/docs/_doc/1", R"({"name":"uno","n":1})", kJson);
  CHECK(again.status == 200);
  CHECK(again.json()["_version"] == 2);
  const auto got = client.get("/es/docs/_doc/1").json();
  CHECK(got["found"] == true);
  CHECK(got["_source"] == json{{"name", "uno"}, {"n", 1}});
  CHECK(client.get("/es/docs/_doc/2").status == 404);
  CHECK(client.get("/es/docs/_doc/2").json()["found"] == false);
  checkElasticsearchError(client.send("PUT", "/es/docs/_create/1", R"({"n":2})", kJson), 409, "version_conflict_engine_exception");
  checkElasticsearchError(client.send("PUT", "/es/docs/_doc/1?if_seq_no=99&if_primary_term=1", R"({"n":2})", kJson), 409, "version_conflict_engine_exception");
  checkElasticsearchError(client.send("PUT", "/es/docs/_doc/3", R"({"n":"not a number"})", kJson), 400, "mapper_parsing_exception");
  const auto update = client.send("POST", "/es/docs/_update/1", R"({"doc":{"extra":true}})", kJson);
  CHECK(update.json()["result"] == "updated");
  CHECK(client.get("/es/docs/_doc/1").json()["_source"]["extra"] == true);
  checkElasticsearchError(client.send("POST", "/es/docs/_update/9", R"({"doc":{"x":1}})", kJson), 404, "document_missing_exception");
  const auto auto_id = client.send("POST", "/es/docs/_doc", R"({"n":5})", kJson);
  CHECK(auto_id.status == 201);
  CHECK(auto_id.json()["_id"].get<std::string>().size() == 20);
  CHECK(client.send("DELETE", "/es/docs/_doc/1").json()["result"] == "deleted");
  CHECK(client.send("DELETE", "/es/docs/_doc/1").status == 404);
  checkElasticsearchError(client.send("PUT", "/es/docs/_doc/4?refresh=soon", R"({"n":1})", kJson), 400, "illegal_argument_exception");
}

TEST_CASE("bulk: one bad line does not sink the others; each line has its item result") {
  DataHost host;
  HttpClient client(host.port);
  const std::string body =
      "{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"level\":\"info\",\"ms\":10}\n"
      "{\"create\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n{\"level\":\"error\",\"ms\":30}\n"
      "{\"index\":{\"_index\":\"logs\",\"_id\":\"3\"}}\n{\"level\":\"warn\",\"ms\":\"slow\"}\n"
      "{\"index\":{\"_index\":\"logs\",\"_id\":\"4\"}}\nnot json\n"
      "{\"create\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"level\":\"info\",\"ms\":1}\n"
      "{\"update\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n{\"doc\":{\"ms\":35}}\n"
      "{\"delete\":{\"_index\":\"logs\",\"_id\":\"missing\"}}\n"
      "{\"index\":{\"_id\":\"5\"}}\n{\"level\":\"info\",\"ms\":20}\n";
  const auto result = client.send("POST", "/es/_bulk?refresh=wait_for", body, {{"Content-Type", "application/x-ndjson"}});
  CAPTURE(result.body);
  // line 7 names no index and the URL has none: the request is refused as a whole
  checkElasticsearchError(result, 400, "action_request_validation_exception");

  const auto ok = client.send("POST", "/es/logs/_bulk", body, {{"Content-Type", "application/x-ndjson"}});
  REQUIRE(ok.status == 200);
  const auto items = ok.json()["items"];
  CHECK(ok.json()["errors"] == true);
  REQUIRE(items.size() == 8);
  CHECK(items[0]["index"]["status"] == 201);
  CHECK(items[1]["create"]["status"] == 201);
  CHECK(items[2]["index"]["status"] == 400);
  CHECK(items[2]["index"]["error"]["type"] == "mapper_parsing_exception");
  CHECK(items[3]["index"]["error"]["type"] == "mapper_parsing_exception");
  CHECK(items[4]["create"]["status"] == 409);
  CHECK(items[5]["update"]["status"] == 200);
  CHECK(items[6]["delete"]["status"] == 404);
  CHECK(items[7]["index"]["status"] == 201);
  const auto count = client.get("/es/logs/_count").json();
  CHECK(count["count"] == 3);
}

TEST_CASE("search with aggregations and typed_keys, count with a query, q= search, _cat/indices") {
  DataHost host;
  HttpClient client(host.port);
  std::string bulk;
  const char* levels[] = {"info", "warn", "error"};
  int errorCount = 0;
  double errorSum = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string level = levels[i % 3];
    const int ms = (i * 17) % 100;
    if (level == "error") {
      ++errorCount;
      errorSum += ms;
    }
    bulk.append("{\"index\":{}}\n{\"level\":\"").append(level).append("\",\"ms\":").append(std::to_string(ms)).append(",\"message\":\"request ")
        .append(i % 2 ? "failed badly" : "served").append("\"}\n");
  }
  client.send("PUT", "/es/app", R"({"settings":{"number_of_shards":3}})", kJson);
  REQUIRE(client.send("POST", "/es/app/_bulk", bulk, {{"Content-Type", "application/x-ndjson"}}).json()["errors"] == false);

  const auto search = client.send("POST", "/es/app/_search?typed_keys=true",
                                  R"({"size":2,"query":{"match":{"message":"failed"}},"sort":[{"ms":"desc"}],
                                      "aggs":{"levels":{"terms":{"field":"level.keyword"},"aggs":{"avg_ms":{"avg":{"field":"ms"}}}}}})",
                                  kJson);
  CAPTURE(search.body);
  REQUIRE(search.status == 200);
  const auto body = search.json();
  CHECK(body["_shards"]["total"] == 3);
  CHECK(body["hits"]["total"]["value"] == 30);
  CHECK(body["hits"]["hits"].size() == 2);
  const auto& buckets = body["aggregations"]["sterms#levels"]["buckets"];
  REQUIRE(buckets.size() == 3);
  CHECK(buckets[0]["doc_count"] == 10);

  const auto all = client.send("POST", "/es/app/_search",
                               R"({"size":0,"query":{"term":{"level.keyword":"error"}},"aggs":{"avg_ms":{"avg":{"field":"ms"}}}})", kJson);
  CHECK(all.json()["hits"]["total"]["value"] == errorCount);
  CHECK(all.json()["aggregations"]["avg_ms"]["value"].get<double>() == doctest::Approx(errorSum / errorCount));

  CHECK(client.send("POST", "/es/app/_count", R"({"query":{"term":{"level.keyword":"warn"}}})", kJson).json()["count"] == 20);
  CHECK(client.get("/es/app/_search?q=level:warn&size=0").json()["hits"]["total"]["value"] == 20);
  CHECK(client.get("/es/_search?size=0").json()["hits"]["total"]["value"] == 60);
  const auto cat = client.get("/es/_cat/indices?format=json").json();
  REQUIRE(cat.size() == 1);
  CHECK(cat[0]["index"] == "app");
  CHECK(cat[0]["docs.count"] == "60");
  CHECK(cat[0]["pri"] == "3");
}

TEST_CASE("search errors: parsing_exception naming the key, bad JSON, too large a window, all shards failed") {
  DataHost host;
  HttpClient client(host.port);
  client.send("PUT", "/es/e/_doc/1", R"({"n":1,"t":"text"})", kJson);
  const auto unknown = client.send("POST", "/es/e/_search", R"({"query":{"match_al":{}}})", kJson);
  checkElasticsearchError(unknown, 400, "parsing_exception");
  CHECK(unknown.json()["error"]["reason"] == "unknown query [match_al]");
  checkElasticsearchError(client.send("POST", "/es/e/_search", R"({"query":{"match_all":{}},"sizes":3})", kJson), 400, "parsing_exception");
  checkElasticsearchError(client.send("POST", "/es/e/_search", R"({"query":)", kJson), 400, "parsing_exception");
  // The window is the index's setting, checked on each shard: all shards failed, as Elasticsearch answers.
  const auto window = client.send("POST", "/es/e/_search", R"({"from":10000,"size":1})", kJson);
  CHECK(window.status == 400);
  CHECK(window.json()["error"]["type"] == "search_phase_execution_exception");
  CHECK(window.json()["error"]["root_cause"][0]["type"] == "illegal_argument_exception");
  const auto failed = client.send("POST", "/es/e/_search", R"({"sort":["t"]})", kJson);
  CHECK(failed.status == 400);
  CHECK(failed.json()["error"]["type"] == "search_phase_execution_exception");
  CHECK(failed.json()["error"]["root_cause"][0]["type"] == "illegal_argument_exception");
}

TEST_CASE("indices, documents and mappings survive a restart of the host") {
  DataHost host;
  {
    HttpClient client(host.port);
    client.send("PUT", "/es/keep", R"({"settings":{"number_of_shards":2},"mappings":{"properties":{"code":{"type":"keyword"}}}})", kJson);
    std::string bulk;
    for (int i = 0; i < 25; ++i) bulk.append("{\"index\":{\"_id\":\"").append(std::to_string(i)).append("\"}}\n{\"code\":\"c").append(std::to_string(i % 5)).append("\"}\n");
    REQUIRE(client.send("POST", "/es/keep/_bulk", bulk, {{"Content-Type", "application/x-ndjson"}}).status == 200);
  }
  host.stop();
  host.start();
  HttpClient client(host.port);
  CHECK(client.get("/es/keep/_count").json()["count"] == 25);
  CHECK(client.get("/es/keep/_doc/7").json()["_source"]["code"] == "c2");
  CHECK(client.get("/es/keep/_mapping").json()["keep"]["mappings"]["properties"]["code"]["type"] == "keyword");
  CHECK(client.send("POST", "/es/keep/_count", R"({"query":{"term":{"code":"c0"}}})", kJson).json()["count"] == 5);
}

TEST_CASE("an index whose files do not open is reported and refused untouched; the others are served; DELETE clears it") {
  DataHost host;
  std::string uuid;
  {
    HttpClient client(host.port);
    for (const std::string name : {"good", "bad"}) {
      REQUIRE(client.send("POST", "/es/" + name + "/_doc/1", R"({"word":"kept"})", kJson).status == 201);
    }
    uuid = client.get("/es/bad").json()["bad"]["settings"]["index"]["uuid"].get<std::string>();
  }
  host.stop();
  // A shard file that is not a SQLite database any more (a damaged disk, a wrong copy).
  // Index folders are named by the index's uuid.
  const auto dir = host.setup.root() / "data" / "indices" / uuid;
  REQUIRE(std::filesystem::exists(dir / "shard-0.sqlite"));
  for (const char* leftover : {"shard-0.sqlite-wal", "shard-0.sqlite-shm"}) std::filesystem::remove(dir / leftover);
  const std::string garbage(4096, 'x');
  std::ofstream(dir / "shard-0.sqlite", std::ios::binary | std::ios::trunc) << garbage;
  host.start();
  // start() opens the index files off the lifecycle thread and the status follows.
  REQUIRE_MESSAGE(host.process->waitForOutput("index [bad] did not open and is not served: "), host.process->output());
  HttpClient client(host.port);
  const auto status = client.get("/api/status").json()["status"]["plugins"]["data"];
  CHECK(status["level"] == "degraded");
  CHECK(status["summary"].get<std::string>().ends_with("indices that did not open: [bad]"));

  CHECK(client.get("/es/good/_count").json()["count"] == 1);
  checkElasticsearchError(client.get("/es/bad/_search"), 503, "no_shard_available_action_exception");
  CHECK(client.get("/es/bad/_search").json()["error"]["reason"].get<std::string>().starts_with("[bad] cannot be used: its files did not open ("));
  checkElasticsearchError(client.get("/es/_search"), 503, "no_shard_available_action_exception");
  CHECK(client.get("/es/_search?ignore_unavailable=true").json()["hits"]["total"]["value"] == 1);
  // Neither a write nor a create may put a new index over its files.
  checkElasticsearchError(client.send("POST", "/es/bad/_doc/2", R"({"word":"new"})", kJson), 503, "no_shard_available_action_exception");
  checkElasticsearchError(client.send("PUT", "/es/bad", "", kJson), 503, "no_shard_available_action_exception");
  std::ifstream in(dir / "shard-0.sqlite", std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == garbage);

  const auto cat = client.get("/es/_cat/indices?format=json").json();
  REQUIRE(cat.size() == 2);
  CHECK(cat[0]["index"] == "bad");
  CHECK(cat[0]["health"] == "red");
  CHECK(cat[1]["index"] == "good");
  CHECK(cat[1]["health"] == "green");
  const auto health = client.get("/es/_cluster/health").json();
  CHECK(health["status"] == "red");
  CHECK(health["unassigned_shards"] == 1);
  CHECK(health["active_shards"] == 1);

  REQUIRE(client.send("DELETE", "/es/bad").status == 200);
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK(client.get("/api/status").json()["status"]["plugins"]["data"]["level"] == "available");
  CHECK(client.get("/es/_cluster/health").json()["status"] == "green");
  CHECK(client.send("POST", "/es/bad/_doc/1", R"({"word":"fresh"})", kJson).status == 201);
}

TEST_CASE("no index name destroys data: every rejected name, through the URL and bulk action lines, leaves the indices intact") {
  DataHost host;
  HttpClient client(host.port);
  const harness::Headers ndjson{{"Content-Type", "application/x-ndjson"}};
  std::string load;
  for (int i = 0; i < 10; ++i) load.append("{\"index\":{\"_index\":\"logs\",\"_id\":\"" + std::to_string(i) + "\"}}\n{\"word\":\"kept\"}\n");
  load.append("{\"index\":{\"_index\":\"other\",\"_id\":\"1\"}}\n{\"word\":\"kept\"}\n");
  REQUIRE(client.send("POST", "/es/_bulk", load, ndjson).json()["errors"] == false);
  const auto indices = host.setup.root() / "data" / "indices";
  const auto folders = [&] {
    std::set<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(indices)) {
      if (entry.is_directory()) out.insert(entry.path().filename().string());
    }
    return out;
  };
  const auto before = folders();
  REQUIRE(before.size() == 2);

  // Bulk action lines, as JSON escapes: the item fails, the request and the rest go on.
  for (const std::string& name : std::initializer_list<std::string>{R"(logs\u0000)", R"(\u0000)", R"(\u0000logs)", "..", ".", "a/b", "../logs",
                                 std::string(256, 'a'), R"(logs\u007f)", R"(logs\u0001)", R"(logs\n)", "Logs", "_logs"}) {
    CAPTURE(name);
    const std::string body = "{\"index\":{\"_index\":\"" + name + "\"}}\n{\"word\":\"bad\"}\n"
                             "{\"index\":{\"_index\":\"other\",\"_id\":\"2\"}}\n{\"word\":\"fine\"}\n";
    const auto result = client.send("POST", "/es/_bulk", body, ndjson);
    CAPTURE(result.body);
    REQUIRE(result.status == 200);
    const auto item = result.json()["items"][0]["index"];
    CHECK(item["status"] == 400);
    CHECK(item["error"]["type"] == "invalid_index_name_exception");
    CHECK(result.json()["items"][1]["index"]["status"].get<int>() < 300);
  }
  // Bytes that are not UTF-8 in an action line: the line is not JSON, the request is refused.
  const auto notUtf8 = client.send("POST", "/es/_bulk", "{\"index\":{\"_index\":\"logs\xff\"}}\n{}\n", ndjson);
  CHECK(notUtf8.status == 400);

  // URL path segments, percent-encoded; a NUL is refused by the HTTP layer already.
  for (const std::string& segment : std::initializer_list<std::string>{"logs%00", "%00", "%2E%2E", "a%2Fb", "..%2Flogs", std::string(256, 'a'), "logs%FF",
                                    "logs%7F", "logs%01", "logs%0A", "Logs", "_logs", "a%20b"}) {
    CAPTURE(segment);
    const bool nul = segment.find("%00") != std::string::npos;
    const auto check = [&](const harness::HttpResult& result) {
      CAPTURE(result.body);
      CHECK(result.status == 400);
      if (!nul) CHECK(result.json()["error"]["type"] == "invalid_index_name_exception");
    };
    check(client.send("PUT", "/es/" + segment, "", kJson));
    check(client.get("/es/" + segment));
    check(client.send("PUT", "/es/" + segment + "/_doc/1", R"({"word":"bad"})", kJson));
    check(client.send("POST", "/es/" + segment + "/_doc", R"({"word":"bad"})", kJson));
    check(client.get("/es/" + segment + "/_doc/1"));
    check(client.get("/es/" + segment + "/_search"));
    check(client.send("DELETE", "/es/" + segment));
    const auto bulk = client.send("POST", "/es/" + segment + "/_bulk", "{\"index\":{}}\n{\"word\":\"bad\"}\n", ndjson);
    if (nul) {
      CHECK(bulk.status == 400);
    } else {
      CHECK(bulk.json()["items"][0]["index"]["error"]["type"] == "invalid_index_name_exception");
    }
  }

  // Nothing was made, nothing removed; both indices answer, now and after a restart.
  CHECK(folders() == before);
  const auto intact = [](HttpClient& c) {
    CHECK(c.get("/es/logs/_count").json()["count"] == 10);
    CHECK(c.send("POST", "/es/logs/_search", R"({"query":{"match":{"word":"kept"}}})", kJson).json()["hits"]["total"]["value"] == 10);
    CHECK(c.get("/es/other/_count").json()["count"] == 2);
    const auto cat = c.get("/es/_cat/indices?format=json").json();
    REQUIRE(cat.size() == 2);
    CHECK(cat[0]["index"] == "logs");
    CHECK(cat[1]["index"] == "other");
  };
  intact(client);
  host.stop();
  host.start();
  HttpClient again(host.port);
  intact(again);
  CHECK(folders() == before);
}

TEST_CASE("data.local.autoCreateIndex false and data.local.maxIndices answer as Elasticsearch does") {
  harness::RunningHost host;
  host.setup.writeConfig("security:\n  enabled: false\nlogging:\n  loggers:\n    http.access: warn\n"
                         "data:\n  local:\n    autoCreateIndex: false\n    maxIndices: 2\n");
  host.start();
  HttpClient client(host.port);
  const auto missing = client.send("POST", "/es/new/_doc", R"({"a":1})", kJson);
  checkElasticsearchError(missing, 404, "index_not_found_exception");
  CHECK(missing.json()["error"]["reason"] == "no such index [new] and [action.auto_create_index] is [false]");
  REQUIRE(client.send("PUT", "/es/new", "", kJson).status == 200);
  CHECK(client.send("POST", "/es/new/_doc", R"({"a":1})", kJson).status == 201);
  REQUIRE(client.send("PUT", "/es/second", "", kJson).status == 200);
  const auto third = client.send("PUT", "/es/third", "", kJson);
  checkElasticsearchError(third, 400, "validation_exception");
  CHECK(third.json()["error"]["reason"].get<std::string>().find("data.local.maxIndices") != std::string::npos);
}

namespace {

std::string repeat(const std::string& piece, int times) {
  std::string out;
  out.reserve(piece.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// `bools` nested bool.must queries around a match_all, as JSON text.
std::string nestedBoolText(int bools) {
  return repeat(R"({"bool":{"must":[)", bools) + R"({"match_all":{}})" + repeat("]}}", bools);
}

// The host still serves: its own API and the engine's.
void checkStillServing(HttpClient& client) {
  CHECK(client.get("/es/").status == 200);
  CHECK(client.get("/es/other/_count").status == 200);
}

void checkReasonHas(const harness::HttpResult& result, const std::string& text) {
  CAPTURE(result.body.substr(0, 2000));
  CHECK(result.json()["error"]["reason"].get<std::string>().find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("a search of 50,000 nested bool.must clauses is a 400 naming the limit, and the host stays up") {
  DataHost host;
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/other", "", kJson).status == 200);
  const auto deep = client.send("POST", "/es/other/_search", R"({"query":)" + nestedBoolText(50'000) + "}", kJson);
  checkElasticsearchError(deep, 400, "x_content_parse_exception");
  checkReasonHas(deep, "exceeds the maximum allowed (1000, from [data.json.maxNestingDepth])");
  checkStillServing(client);
  // Within the JSON limit, past the query limit: Elasticsearch's error naming its setting.
  const auto past = client.send("POST", "/es/other/_search", R"({"query":)" + nestedBoolText(30) + "}", kJson);
  checkElasticsearchError(past, 400, "illegal_argument_exception");
  checkReasonHas(past, "[indices.query.bool.max_nested_depth]");
  CHECK(client.send("POST", "/es/other/_search", R"({"query":)" + nestedBoolText(29) + "}", kJson).status == 200);
  checkElasticsearchError(client.send("POST", "/es/other/_count", R"({"query":)" + nestedBoolText(30) + "}", kJson), 400,
             "illegal_argument_exception");
  // A 1 MB body of [[[[ anywhere JSON is read.
  const std::string brackets(1024 * 1024 - 16, '[');
  checkElasticsearchError(client.send("POST", "/es/other/_search", brackets, kJson), 400, "x_content_parse_exception");
  checkElasticsearchError(client.send("POST", "/es/_bulk", brackets, {{"Content-Type", "application/x-ndjson"}}), 400,
             "x_content_parse_exception");
  checkElasticsearchError(client.send("PUT", "/es/other/_doc/1", repeat("[", 2000), kJson), 400, "x_content_parse_exception");
  const auto internal = client.send("POST", "/internal/search/local", brackets, kJson);
  CAPTURE(internal.body.substr(0, 500));
  CHECK(internal.status == 400);
  CHECK(internal.json()["message"] == "[request body]: nesting depth (1001) exceeds the maximum allowed (1000)");
  checkStillServing(client);
}

TEST_CASE("deep q=, query_string and simple_query_string are 400s naming the limit") {
  DataHost host;
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/other", "", kJson).status == 200);
  // q= within the request line's size: 2,000 groups deep (percent-encoded parentheses).
  const auto q = client.get("/es/other/_search?q=" + repeat("%28", 2000) + "a" + repeat("%29", 2000));
  checkElasticsearchError(q, 400, "query_shard_exception");
  checkReasonHas(q, "[indices.query.bool.max_nested_depth]");
  CHECK(client.get("/es/other/_search?q=" + repeat("%28", 28) + "a" + repeat("%29", 28)).status == 200);
  const auto text = repeat("(", 50'000) + "a" + repeat(")", 50'000);
  const auto queryString =
      client.send("POST", "/es/other/_search", json{{"query", {{"query_string", {{"query", text}}}}}}.dump(), kJson);
  checkElasticsearchError(queryString, 400, "query_shard_exception");
  checkReasonHas(queryString, "[indices.query.bool.max_nested_depth]");
  const auto negations = client.send("POST", "/es/other/_search",
                                     json{{"query", {{"query_string", {{"query", repeat("-", 50'000) + "a"}}}}}}.dump(), kJson);
  checkElasticsearchError(negations, 400, "query_shard_exception");
  const auto simple = client.send("POST", "/es/other/_search",
                                  json{{"query", {{"simple_query_string", {{"query", text}}}}}}.dump(), kJson);
  checkElasticsearchError(simple, 400, "illegal_argument_exception");
  checkReasonHas(simple, "[indices.query.bool.max_nested_depth]");
  const auto operators = client.send("POST", "/es/other/_search",
                                     json{{"query", {{"simple_query_string", {{"query", repeat("a+b|", 50'000) + "c"}}}}}}.dump(), kJson);
  checkElasticsearchError(operators, 400, "illegal_argument_exception");
  checkStillServing(client);
}

TEST_CASE("deep documents are refused before they are stored, alone in a bulk; deep mappings and aggregations are 400s") {
  DataHost host;
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/other", "", kJson).status == 200);
  // Past the JSON limit, and past index.mapping.depth.limit (20) by dynamic mapping.
  const std::string tooDeepJson = repeat(R"({"a":)", 1001) + "1" + repeat("}", 1001);
  const std::string tooDeepMapping = repeat(R"({"a":)", 21) + "1" + repeat("}", 21);
  checkElasticsearchError(client.send("PUT", "/es/other/_doc/deep", tooDeepJson, kJson), 400, "x_content_parse_exception");
  const auto mapped = client.send("PUT", "/es/other/_doc/deep", tooDeepMapping, kJson);
  checkElasticsearchError(mapped, 400, "illegal_argument_exception");
  checkReasonHas(mapped, "Limit of mapping depth [20] has been exceeded due to object field [a.a.a");
  CHECK(client.get("/es/other/_doc/deep").status == 404);
  const std::string bulk = "{\"index\":{\"_id\":\"deep\"}}\n" + tooDeepJson + "\n" +
                           "{\"index\":{\"_id\":\"mapped\"}}\n" + tooDeepMapping + "\n" +
                           "{\"index\":{\"_id\":\"fine\"}}\n{\"a\":{\"b\":1}}\n";
  const auto result = client.send("POST", "/es/other/_bulk?refresh=true", bulk, {{"Content-Type", "application/x-ndjson"}});
  CAPTURE(result.body.substr(0, 2000));
  REQUIRE(result.status == 200);
  const auto items = result.json()["items"];
  REQUIRE(items.size() == 3);
  CHECK(items[0]["index"]["status"] == 400);
  CHECK(items[0]["index"]["error"]["type"] == "x_content_parse_exception");
  CHECK(items[1]["index"]["status"] == 400);
  CHECK(items[1]["index"]["error"]["type"] == "illegal_argument_exception");
  CHECK(items[2]["index"]["status"] == 201);
  CHECK(client.get("/es/other/_doc/deep").status == 404);
  CHECK(client.get("/es/other/_doc/mapped").status == 404);
  CHECK(client.get("/es/other/_doc/fine").status == 200);
  CHECK(client.get("/es/other/_search").json()["hits"]["total"]["value"] == 1);

  // An explicit mapping past the limit; a higher limit set on the index takes it.
  std::string properties = R"({"leaf":{"type":"keyword"}})";
  for (int i = 0; i < 20; ++i) properties = R"({"o":{"properties":)" + properties + "}}";
  const auto refused = client.send("PUT", "/es/deepmap", R"({"mappings":{"properties":)" + properties + "}}", kJson);
  checkElasticsearchError(refused, 400, "illegal_argument_exception");
  checkReasonHas(refused, "Limit of mapping depth [20] has been exceeded due to object field [o.o.o");
  CHECK(client.send("HEAD", "/es/deepmap").status == 404);
  CHECK(client.send("PUT", "/es/deepmap",
                    R"({"settings":{"index.mapping.depth.limit":21},"mappings":{"properties":)" + properties + "}}", kJson)
            .status == 200);

  // Sub-aggregations past the limit (20).
  std::string aggs = R"({"t":{"terms":{"field":"a.b"}}})";
  for (int i = 0; i < 20; ++i) aggs = R"({"t":{"terms":{"field":"a.b"},"aggs":)" + aggs + "}}";
  const auto deepAggs = client.send("POST", "/es/other/_search", R"({"aggs":)" + aggs + "}", kJson);
  checkElasticsearchError(deepAggs, 400, "illegal_argument_exception");
  checkReasonHas(deepAggs, "[data.search.maxAggregationDepth] (20)");
  checkStillServing(client);
}

TEST_CASE("the depth limits are the data plugin's config keys") {
  harness::RunningHost host;
  host.setup.writeConfig(
      "security:\n  enabled: false\n"
      "data:\n  json:\n    maxNestingDepth: 12\n  indices:\n    query:\n      bool:\n        max_nested_depth: 3\n"
      "  search:\n    maxAggregationDepth: 2\n");
  host.start();
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/other", "", kJson).status == 200);
  CHECK(client.send("POST", "/es/other/_search", R"({"query":)" + nestedBoolText(2) + "}", kJson).status == 200);
  checkElasticsearchError(client.send("POST", "/es/other/_search", R"({"query":)" + nestedBoolText(3) + "}", kJson), 400,
             "illegal_argument_exception");
  CHECK(client.send("PUT", "/es/other/_doc/1", repeat(R"({"a":)", 12) + "1" + repeat("}", 12), kJson).status == 201);
  const auto deep = client.send("PUT", "/es/other/_doc/2", repeat(R"({"a":)", 13) + "1" + repeat("}", 13), kJson);
  checkElasticsearchError(deep, 400, "x_content_parse_exception");
  checkReasonHas(deep, "Document nesting depth (13) exceeds the maximum allowed (12, from [data.json.maxNestingDepth])");
  const std::string two = R"({"aggs":{"t":{"terms":{"field":"a.a"},"aggs":{"u":{"terms":{"field":"a.a"}}}}}})";
  CHECK(client.send("POST", "/es/other/_search", two, kJson).status == 200);
  const std::string three =
      R"({"aggs":{"t":{"terms":{"field":"a.a"},"aggs":{"u":{"terms":{"field":"a.a"},"aggs":{"v":{"terms":{"field":"a.a"}}}}}}}})";
  checkElasticsearchError(client.send("POST", "/es/other/_search", three, kJson), 400, "illegal_argument_exception");
}

TEST_CASE("hardening: wrong-typed values are 400s naming the field; sizes and search.max_buckets from the config") {
  harness::RunningHost host;
  host.setup.writeConfig(
      "security:\n  enabled: false\nlogging:\n  loggers:\n    http.access: warn\ndata:\n  search:\n    max_buckets: 10\n");
  host.start();
  HttpClient client(host.port);
  std::string bulk;
  for (int i = 0; i < 20; ++i) {
    bulk += "{\"index\":{\"_id\":\"" + std::to_string(i) + "\"}}\n{\"k\":\"k" + std::to_string(i) + "\",\"n\":" + std::to_string(i) + "}\n";
  }
  REQUIRE(client.send("POST", "/es/h/_bulk", bulk, {{"Content-Type", "application/x-ndjson"}}).status == 200);

  const auto upsert = client.send("POST", "/es/h/_update/1", R"({"doc":{"n":5},"doc_as_upsert":"yes"})", kJson);
  checkElasticsearchError(upsert, 400, "x_content_parse_exception");
  CHECK(upsert.json()["error"]["reason"] == "[UpdateRequest] failed to parse field [doc_as_upsert]");
  const auto size = client.send("POST", "/es/h/_search", R"({"aggs":{"t":{"terms":{"field":"k.keyword","size":"x"}}}})", kJson);
  checkElasticsearchError(size, 400, "x_content_parse_exception");
  CHECK(size.json()["error"]["reason"] == "[terms] failed to parse field [size]");
  checkElasticsearchError(client.send("POST", "/es/h/_search", R"({"from":9223372036854775807})", kJson), 400, "x_content_parse_exception");
  checkElasticsearchError(client.send("POST", "/es/h/_search", R"({"sort":5})", kJson), 400, "parsing_exception");
  checkElasticsearchError(client.get("/es/h/_search?size=abc"), 400, "illegal_argument_exception");
  checkElasticsearchError(client.send("POST", "/es/h/_search", R"({"timeout":"soon"})", kJson), 400, "parse_exception");

  // search.max_buckets: 10 from the config. 10 terms are fine, 20 are refused.
  const auto ten = client.send("POST", "/es/h/_search", R"({"size":0,"query":{"range":{"n":{"lt":10}}},"aggs":{"t":{"terms":{"field":"k.keyword","size":20}}}})", kJson);
  CAPTURE(ten.body);
  CHECK(ten.status == 200);
  const auto twenty = client.send("POST", "/es/h/_search", R"({"size":0,"aggs":{"t":{"terms":{"field":"k.keyword","size":20}}}})", kJson);
  CAPTURE(twenty.body);
  CHECK(twenty.status == 400);
  CHECK(twenty.json()["error"]["root_cause"][0]["type"] == "too_many_buckets_exception");
  CHECK(twenty.json()["error"]["root_cause"][0]["max_buckets"] == 10);

  // index.mapping.total_fields.limit through _bulk: the document past it is not stored.
  REQUIRE(client.send("PUT", "/es/few", R"({"settings":{"index.mapping.total_fields.limit":2}})", kJson).status == 200);
  const auto few = client.send("POST", "/es/few/_bulk?refresh=true", "{\"index\":{\"_id\":\"1\"}}\n{\"a\":1,\"b\":2}\n{\"index\":{\"_id\":\"2\"}}\n{\"c\":3}\n",
                               {{"Content-Type", "application/x-ndjson"}});
  CAPTURE(few.body);
  CHECK(few.json()["items"][0]["index"]["status"] == 201);
  CHECK(few.json()["items"][1]["index"]["error"]["reason"] == "failed to parse: Limit of total fields [2] has been exceeded while adding new fields [1]");
  CHECK(client.get("/es/few/_doc/2").status == 404);
  CHECK(client.get("/es/few").json()["few"]["settings"]["index"]["mapping"]["total_fields"]["limit"] == "2");
}
