// Async search through the real binary over real HTTP: the bundled async_search plugin
// with the `held` fixture strategy (shards finish when the test releases them), the
// embedded engine for end-to-end reduces, two real users and an API key, the cleanup
// task, a stop with SIGTERM and resumeOnRestart, and Kibana's /internal/search/ese.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <sys/wait.h>

#include "es_checks.hpp"
#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"

using harness::HostSetup;
using harness::checkElasticsearchError;
using harness::HttpClient;
using json = nlohmann::json;

namespace {

int usersCommand(const HostSetup& setup, const std::string& args, const std::string& password) {
  const auto file = setup.root() / "data" / "security" / "users.yml";
  const std::string command = "printf '%s\\n' '" + password + "' | " + harness::orreryBinary().string() + " users " +
                              args + " --file " + file.string() + " >" + (setup.root() / "users.out").string() + " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const harness::Headers kJson{{"Content-Type", "application/json"}};

harness::Headers as(const std::string& user, const std::string& password) {
  return {{"Content-Type", "application/json"}, {"Authorization", harness::basicAuthorization(user, password)}};
}
const harness::Headers alice = as("alice", "alice-password");
const harness::Headers bob = as("bob", "bob-password");
const harness::Headers root = as("root", "root-password");

// A host with security on, users alice and bob (no roles) and root (superuser), and the
// held strategy.
struct AsyncHost : harness::RunningHost {
  explicit AsyncHost(const std::string& config = "", bool startNow = true) {
    setup.addFixture("held_strategy");
    REQUIRE(usersCommand(setup, "add alice", "alice-password") == 0);
    REQUIRE(usersCommand(setup, "add bob", "bob-password") == 0);
    REQUIRE(usersCommand(setup, "add root --role superuser", "root-password") == 0);
    setup.writeConfig("logging:\n  loggers:\n    http.access: warn\n" + config);
    if (startNow) start();
  }
};

// Submits a held search named `name` with `shards` shards that waits for nothing.
harness::HttpResult submitHeld(HttpClient& client, const std::string& name, int shards,
                               const harness::Headers& who = alice, const std::string& extra = "") {
  return client.send("POST", "/es/" + name + "/_async_search?strategy=held&wait_for_completion_timeout=0" + extra,
                     json{{"shards", shards}}.dump(), who);
}

void release(HttpClient& client, const std::string& name, int shards) {
  const auto released = client.send("POST", "/api/held_searches/" + name + "/release?shards=" + std::to_string(shards), "", root);
  REQUIRE_MESSAGE(released.status == 200, released.body);
}

}  // namespace

TEST_CASE("submit, poll partial results, status, keep_alive, completion, delete, then 404 — Elasticsearch's shapes") {
  AsyncHost host;
  HttpClient client(host.port);
  const auto submitted = submitHeld(client, "h1", 3);
  REQUIRE_MESSAGE(submitted.status == 200, submitted.body);
  const auto first = submitted.json();
  const std::string id = first["id"];
  CHECK(submitted.header("X-Elasticsearch-Async-Id") == id);
  CHECK(submitted.header("X-Elasticsearch-Async-Is-Running") == "?1");
  CHECK(submitted.header("X-Elastic-Product") == "Elasticsearch");
  // Fields in Elasticsearch 8's order.
  CHECK(submitted.body.starts_with(R"({"id":")" + id + R"(","is_partial":true,"is_running":true,"start_time_in_millis":)"));
  CHECK_FALSE(first.contains("completion_time_in_millis"));
  CHECK(first["expiration_time_in_millis"].get<std::int64_t>() - first["start_time_in_millis"].get<std::int64_t>() ==
        5LL * 24 * 3600 * 1000);
  // The strategy received the submit's batched_reduce_size (5 by default).
  CHECK(client.get("/api/held_searches/h1", root).json()["parameters"]["batched_reduce_size"] == "5");

  release(client, "h1", 1);
  auto poll = client.get("/es/_async_search/" + id, alice);
  REQUIRE(poll.status == 200);
  CHECK(poll.json()["is_running"] == true);
  CHECK(poll.json()["response"]["_shards"]["successful"] == 1);
  CHECK(poll.json()["response"]["hits"]["total"] == json{{"value", 10}, {"relation", "gte"}});
  CHECK(poll.json()["response"]["aggregations"]["shards"]["value"] == 1);
  release(client, "h1", 1);
  poll = client.get("/es/_async_search/" + id, alice);
  CHECK(poll.json()["response"]["_shards"]["successful"] == 2);
  CHECK(poll.json()["response"]["aggregations"]["shards"]["value"] == 2);

  const auto status = client.get("/es/_async_search/status/" + id, alice);
  REQUIRE(status.status == 200);
  CHECK(status.body.starts_with(R"({"id":")" + id + R"(","is_running":true,"is_partial":true,)"));
  CHECK(status.json()["_shards"] == json{{"total", 3}, {"successful", 2}, {"skipped", 0}, {"failed", 0}});
  CHECK_FALSE(status.json().contains("completion_status"));

  const auto extended = client.get("/es/_async_search/" + id + "?keep_alive=2h", alice).json();
  const auto expiry = extended["expiration_time_in_millis"].get<std::int64_t>();
  CHECK(expiry < first["expiration_time_in_millis"].get<std::int64_t>());  // 2h from now is sooner than 5d
  CHECK(client.get("/es/_async_search/status/" + id, alice).json()["expiration_time_in_millis"] == expiry);

  release(client, "h1", 1);
  const auto done = client.get("/es/_async_search/" + id + "?wait_for_completion_timeout=20s", alice);
  REQUIRE(done.status == 200);
  const auto final = done.json();
  CHECK(final["is_running"] == false);
  CHECK(final["is_partial"] == false);
  CHECK(final.contains("completion_time_in_millis"));
  CHECK(final["response"]["hits"]["total"] == json{{"value", 30}, {"relation", "eq"}});
  const auto finished = client.get("/es/_async_search/status/" + id, alice).json();
  CHECK(finished["is_running"] == false);
  CHECK(finished["completion_status"] == 200);

  const auto deleted = client.send("DELETE", "/es/_async_search/" + id, "", alice);
  CHECK(deleted.status == 200);
  CHECK(deleted.json() == json{{"acknowledged", true}});
  checkElasticsearchError(client.get("/es/_async_search/" + id, alice), 404, "resource_not_found_exception", id);
  checkElasticsearchError(client.get("/es/_async_search/status/" + id, alice), 404, "resource_not_found_exception");
  checkElasticsearchError(client.send("DELETE", "/es/_async_search/" + id, "", alice), 404, "resource_not_found_exception");
}

TEST_CASE("delete cancels a running search: the strategy sees its token cancelled") {
  AsyncHost host;
  HttpClient client(host.port);
  const std::string id = submitHeld(client, "h2", 4).json()["id"];
  CHECK(client.get("/api/held_searches/h2", root).json()["cancelled"] == false);
  CHECK(client.send("DELETE", "/es/_async_search/" + id, "", alice).status == 200);
  CHECK(client.get("/api/held_searches/h2", root).json()["cancelled"] == true);
  checkElasticsearchError(client.get("/es/_async_search/" + id, alice), 404, "resource_not_found_exception");
}

TEST_CASE("ownership: another user gets 404 as for a missing id; a superuser may read the status; API keys") {
  AsyncHost host;
  HttpClient client(host.port);
  const std::string id = submitHeld(client, "h3", 2).json()["id"];
  checkElasticsearchError(client.get("/es/_async_search/" + id, bob), 404, "resource_not_found_exception", id);
  checkElasticsearchError(client.get("/es/_async_search/status/" + id, bob), 404, "resource_not_found_exception");
  checkElasticsearchError(client.send("DELETE", "/es/_async_search/" + id, "", bob), 404, "resource_not_found_exception");
  checkElasticsearchError(client.get("/es/_async_search/" + id, root), 404, "resource_not_found_exception");
  CHECK(client.get("/es/_async_search/status/" + id, root).status == 200);
  CHECK(client.get("/api/held_searches/h3", root).json()["cancelled"] == false);  // bob's delete did nothing

  // A search submitted with alice's API key: the key and alice herself see it; her other
  // key and bob do not.
  const auto key = client.send("POST", "/internal/security/api_key", R"({"name":"one"})", alice).json();
  const auto other = client.send("POST", "/internal/security/api_key", R"({"name":"two"})", alice).json();
  const harness::Headers byKey{{"Content-Type", "application/json"}, {"Authorization", "ApiKey " + key["encoded"].get<std::string>()}};
  const harness::Headers byOther{{"Authorization", "ApiKey " + other["encoded"].get<std::string>()}};
  const std::string keyed = submitHeld(client, "h4", 2, byKey).json()["id"];
  CHECK(client.get("/es/_async_search/" + keyed, byKey).status == 200);
  CHECK(client.get("/es/_async_search/" + keyed, alice).status == 200);
  checkElasticsearchError(client.get("/es/_async_search/" + keyed, byOther), 404, "resource_not_found_exception");
  checkElasticsearchError(client.get("/es/_async_search/" + keyed, bob), 404, "resource_not_found_exception");
  // And the key does not see alice's own searches.
  checkElasticsearchError(client.get("/es/_async_search/" + id, byKey), 404, "resource_not_found_exception");
}

TEST_CASE("errors as Elasticsearch answers them: ids, validation, too many running searches") {
  AsyncHost host("async_search:\n  maxRunningPerUser: 2\n  maxKeepAlive: 1d\n  defaultKeepAlive: 1h\n");
  HttpClient client(host.port);
  checkElasticsearchError(client.get("/es/_async_search/nonsense", alice), 400, "illegal_argument_exception", "invalid id: [nonsense]");
  checkElasticsearchError(client.get("/es/_async_search/status/nonsense", alice), 400, "illegal_argument_exception");
  checkElasticsearchError(client.send("DELETE", "/es/_async_search/nonsense", "", alice), 404, "resource_not_found_exception");
  checkElasticsearchError(client.get("/es/_async_search/" + std::string(32, 'A'), alice), 404, "resource_not_found_exception");
  const auto validation = [&](const std::string& query, const std::string& body, const std::string& reason) {
    checkElasticsearchError(client.send("POST", "/es/_async_search?" + query, body, alice), 400, "action_request_validation_exception",
               reason);
  };
  validation("scroll=1m", "", "Validation Failed: 1: [scroll] queries are not supported;");
  validation("", R"({"suggest":{"s":{"text":"x","term":{"field":"f"}}}})",
             "Validation Failed: 1: suggest-only queries are not supported;");
  validation("keep_alive=500ms", "", "Validation Failed: 1: [keep_alive] must be greater or equals than 1 second, got:500ms;");
  validation("pre_filter_shard_size=2", "",
             "Validation Failed: 1: [pre_filter_shard_size] cannot be changed for async search queries;");
  validation("keep_alive=2d", "",
             "Validation Failed: 1: [keep_alive] of [2d] is too large; the maximum is [1d] (async_search.maxKeepAlive);");
  checkElasticsearchError(client.send("POST", "/es/_async_search?keep_alive=soon", "", alice), 400, "parse_exception");

  REQUIRE(submitHeld(client, "r1", 2).status == 200);
  REQUIRE(submitHeld(client, "r2", 2).status == 200);
  checkElasticsearchError(submitHeld(client, "r3", 2), 429, "es_rejected_execution_exception");
  CHECK(submitHeld(client, "r4", 2, bob).status == 200);  // per user
}

TEST_CASE("on the real engine: a search that finishes within the wait has no id and answers as _search; batched reduces") {
  AsyncHost host;
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/logs", R"({"settings":{"number_of_shards":5}})", alice).status == 200);
  std::string bulk;
  for (int i = 0; i < 200; ++i) {
    bulk += R"({"index":{}})" "\n";
    bulk += json{{"n", i}, {"level", i % 4 == 0 ? "error" : "info"}}.dump() + "\n";
  }
  REQUIRE(client.send("POST", "/es/logs/_bulk?refresh=true", bulk, {{"Content-Type", "application/x-ndjson"},
                                                                      {"Authorization", harness::basicAuthorization("alice", "alice-password")}})
              .status == 200);
  const std::string body = R"({"size":0,"query":{"match":{"level":"error"}},"aggs":{"top":{"max":{"field":"n"}}}})";
  const auto plain = client.send("POST", "/es/logs/_search", body, alice).json();
  const auto quick = client.send("POST", "/es/logs/_async_search?wait_for_completion_timeout=30s", body, alice);
  REQUIRE_MESSAGE(quick.status == 200, quick.body);
  CHECK_FALSE(quick.header("X-Elasticsearch-Async-Id"));
  CHECK(quick.header("X-Elasticsearch-Async-Is-Running") == "?0");
  const auto answer = quick.json();
  CHECK_FALSE(answer.contains("id"));
  CHECK(answer["is_running"] == false);
  CHECK(answer["response"]["hits"]["total"] == plain["hits"]["total"]);
  CHECK(answer["response"]["hits"]["total"]["value"] == 50);
  CHECK(answer["response"]["aggregations"] == plain["aggregations"]);
  CHECK(answer["response"]["_shards"]["successful"] == 5);

  // Kept, with a partial reduce after every 2 of the 5 shards: two partial reduces and the final.
  const auto kept = client.send("POST", "/es/logs/_async_search?wait_for_completion_timeout=30s&keep_on_completion=true&batched_reduce_size=2",
                                body, alice);
  REQUIRE(kept.status == 200);
  const std::string id = kept.json()["id"];
  CHECK(kept.json()["response"]["num_reduce_phases"] == 3);
  const auto again = client.get("/es/_async_search/" + id, alice).json();
  CHECK(again["response"]["aggregations"] == plain["aggregations"]);
  // typed_keys is the get's choice, whatever the submit asked.
  const auto typed = client.get("/es/_async_search/" + id + "?typed_keys=true", alice).json();
  CHECK(typed["response"]["aggregations"]["max#top"] == plain["aggregations"]["top"]);
  const auto typedSubmit = client.send("POST", "/es/logs/_async_search?wait_for_completion_timeout=30s&typed_keys", body, alice).json();
  CHECK(typedSubmit["response"]["aggregations"].contains("max#top"));
  // A search the engine refuses: the failure's status around the async envelope.
  const auto failed = client.send("POST", "/es/missing/_async_search?wait_for_completion_timeout=30s", "{}", alice);
  CHECK(failed.status == 404);
  CHECK(failed.json()["is_running"] == false);
  CHECK(failed.json()["error"]["type"] == "index_not_found_exception");
}

TEST_CASE("Kibana's /internal/search/ese: submit, poll with partial progress, cancel") {
  AsyncHost host;
  HttpClient client(host.port);
  const auto submitted = client.send("POST", "/internal/search/ese",
                                     R"({"strategy":"held","waitForCompletion":"0ms","params":{"index":"k1","body":{"shards":2}}})",
                                     alice);
  REQUIRE_MESSAGE(submitted.status == 200, submitted.body);
  const auto first = submitted.json();
  const std::string id = first["id"];
  CHECK(first["isRunning"] == true);
  CHECK(first["isPartial"] == true);
  CHECK(first["loaded"] == 0);  // no shard has reported yet
  // Kibana's default for its poller: 64 shards per partial reduce.
  CHECK(client.get("/api/held_searches/k1", root).json()["parameters"]["batched_reduce_size"] == "64");
  release(client, "k1", 1);
  const auto poll = client.send("POST", "/internal/search/ese/" + id, "{}", alice).json();
  CHECK(poll["total"] == 2);
  CHECK(poll["loaded"] == 1);
  CHECK(poll["rawResponse"]["hits"]["total"] == 10);  // legacyHitsTotal by default
  CHECK(client.send("POST", "/internal/search/ese/" + id, "{}", bob).status == 404);
  CHECK(client.send("DELETE", "/internal/search/ese/" + id, "", alice).status == 200);
  CHECK(client.get("/api/held_searches/k1", root).json()["cancelled"] == true);
  const auto gone = client.send("POST", "/internal/search/ese/" + id, "{}", alice);
  CHECK(gone.status == 404);
  CHECK(gone.json()["statusCode"] == 404);
  CHECK(gone.json()["attributes"]["error"]["type"] == "resource_not_found_exception");
  const auto bad = client.send("POST", "/internal/search/ese", R"({"params":{"index":"x"},"keepAlive":"forever"})", alice);
  CHECK(bad.status == 400);
  CHECK(bad.json()["message"].get<std::string>().find("keepAlive") != std::string::npos);
}

TEST_CASE("the cleanup task deletes expired searches and cancels expired running ones") {
  AsyncHost host("async_search:\n  cleanupInterval: 1s\n");
  HttpClient client(host.port);
  const std::string id = submitHeld(client, "e1", 2, alice, "&keep_alive=1s").json()["id"];
  // The task's log line says it deleted it (a run after the second has passed).
  REQUIRE_MESSAGE(host.process->waitForOutput("async_search:cleanup deleted 1 expired"), host.process->output());
  CHECK(client.get("/api/held_searches/e1", root).json()["cancelled"] == true);
  checkElasticsearchError(client.get("/es/_async_search/" + id, alice), 404, "resource_not_found_exception");
}

TEST_CASE("a stopped host records its running searches as stopped; with resumeOnRestart they run again") {
  AsyncHost host;
  HttpClient client(host.port);
  const auto submitted = submitHeld(client, "s1", 2).json();
  const std::string id = submitted["id"];
  host.stop();  // SIGTERM, exit 0

  host.start();
  HttpClient second(host.port);
  const auto stopped = second.get("/es/_async_search/" + id, alice);
  CHECK(stopped.status == 503);
  CHECK(stopped.json()["is_running"] == false);
  CHECK(stopped.json()["is_partial"] == true);
  CHECK(stopped.json()["error"]["type"] == "node_closed_exception");
  host.stop();

  host.setup.writeConfig("async_search:\n  resumeOnRestart: true\n");
  host.start();
  REQUIRE(host.process->waitForOutput("resumeOnRestart: 1 async search(es) resumed"));
  HttpClient third(host.port);
  const auto resumed = third.get("/es/_async_search/" + id, alice).json();
  CHECK(resumed["is_running"] == true);
  CHECK(resumed["expiration_time_in_millis"] == submitted["expiration_time_in_millis"]);
  release(third, "s1", 2);
  const auto done = third.get("/es/_async_search/" + id + "?wait_for_completion_timeout=20s", alice).json();
  CHECK(done["is_running"] == false);
  CHECK(done["response"]["hits"]["total"]["value"] == 20);
}

TEST_CASE("a bad async_search value stops the host naming the key (exit 78)") {
  AsyncHost host("async_search:\n  maxKeepAlive: soon\n", false);
  auto process = host.setup.start();
  CHECK(process->waitExit().value_or(-1) == 78);
  CHECK(process->output().find("async_search.maxKeepAlive") != std::string::npos);
}

namespace {

// A second real host as the remote cluster: security off, its access log on, so the test
// sees what was sent to it; `logs` holds 30 documents over 3 shards.
struct ClusterHost : harness::RunningHost {
  explicit ClusterHost(const std::string& extra = "") {
    setup.writeConfig("security:\n  enabled: false\nlogging:\n  loggers:\n    http.access: info\n" + extra);
    start();
    HttpClient client(port);
    REQUIRE(client.send("PUT", "/es/logs", R"({"settings":{"number_of_shards":3}})", kJson).status == 200);
    std::string bulk;
    for (int i = 0; i < 30; ++i) bulk.append(R"({"index":{}})" "\n").append(json{{"n", i}}.dump()).append("\n");
    REQUIRE(client.send("POST", "/es/logs/_bulk?refresh=true", bulk, {{"Content-Type", "application/x-ndjson"}}).status == 200);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/es"; }
};

std::string remoteConfig(const ClusterHost& cluster) {
  return "data:\n  elasticsearch:\n    hosts: [\"" + cluster.url() + "\"]\n";
}

}  // namespace

TEST_CASE("with the elasticsearch strategy, async searches are delegated to the cluster's own _async_search") {
  ClusterHost cluster;
  AsyncHost host(remoteConfig(cluster));
  HttpClient client(host.port);
  const std::string body = R"({"size":0,"aggs":{"top":{"max":{"field":"n"}}}})";
  const auto submitted = client.send(
      "POST", "/es/logs/_async_search?strategy=elasticsearch&wait_for_completion_timeout=10s&keep_on_completion=true", body, alice);
  REQUIRE_MESSAGE(submitted.status == 200, submitted.body);
  const std::string id = submitted.json()["id"];
  CHECK(id.size() == 32);  // Orrery's own id, not the cluster's
  CHECK(submitted.header("X-Elasticsearch-Async-Id") == id);
  REQUIRE(cluster.process->waitForOutput("POST /es/logs/_async_search"));
  CHECK(submitted.json()["response"]["aggregations"]["top"]["value"] == 29);

  const auto got = client.get("/es/_async_search/" + id + "?keep_alive=1h", alice);
  REQUIRE_MESSAGE(got.status == 200, got.body);
  CHECK(got.json()["id"] == id);
  CHECK(got.json()["response"]["hits"]["total"]["value"] == 30);
  REQUIRE(cluster.process->waitForOutput("GET /es/_async_search/"));
  // Orrery's owner check stands in front of the cluster's search.
  checkElasticsearchError(client.get("/es/_async_search/" + id, bob), 404, "resource_not_found_exception");
  checkElasticsearchError(client.send("DELETE", "/es/_async_search/" + id, "", bob), 404, "resource_not_found_exception");
  // The cluster does not know Orrery's id.
  CHECK(HttpClient(cluster.port).get("/es/_async_search/" + id).status == 404);

  const auto status = client.get("/es/_async_search/status/" + id, alice);
  REQUIRE_MESSAGE(status.status == 200, status.body);
  CHECK(status.json()["completion_status"] == 200);
  CHECK(client.send("DELETE", "/es/_async_search/" + id, "", alice).status == 200);
  REQUIRE(cluster.process->waitForOutput("DELETE /es/_async_search/"));
  checkElasticsearchError(client.get("/es/_async_search/" + id, alice), 404, "resource_not_found_exception");
}

TEST_CASE("a cluster without _async_search: the search runs under Orrery's own async search, with a log line") {
  ClusterHost cluster("plugins:\n  async_search:\n    enabled: false\n");
  AsyncHost host(remoteConfig(cluster));
  HttpClient client(host.port);
  const auto submitted = client.send(
      "POST", "/es/logs/_async_search?strategy=elasticsearch&wait_for_completion_timeout=10s&keep_on_completion=true",
      R"({"size":0})", alice);
  REQUIRE_MESSAGE(submitted.status == 200, submitted.body);
  CHECK(host.process->waitForOutput("has no _async_search"));
  REQUIRE(cluster.process->waitForOutput("POST /es/logs/_search"));  // searched by the remote strategy
  const std::string id = submitted.json()["id"];
  const auto got = client.get("/es/_async_search/" + id, alice).json();
  CHECK(got["is_running"] == false);
  CHECK(got["response"]["hits"]["total"]["value"] == 30);
}

namespace {

// A raw POST with alice's credentials, for a client that goes away before its answer.
std::string rawPost(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: test\r\nAuthorization: " +
         harness::basicAuthorization("alice", "alice-password") +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a client that goes away cancels its search: a submit still in its wait, and /internal/search") {
  AsyncHost host;
  {
    harness::RawConnection raw(host.port);
    raw.write(rawPost("/es/gone1/_async_search?strategy=held&wait_for_completion_timeout=60s", R"({"shards":2})"));
    REQUIRE(host.process->waitForOutput("held search [gone1] started"));
  }  // the client closes its connection
  CHECK(host.process->waitForOutput("held search [gone1] cancelled"));
  {
    harness::RawConnection raw(host.port);
    raw.write(rawPost("/internal/search/held", R"({"params":{"index":"gone2","body":{"shards":2}}})"));
    REQUIRE(host.process->waitForOutput("held search [gone2] started"));
  }
  CHECK(host.process->waitForOutput("held search [gone2] cancelled"));
  // Once the submit has answered, the search is its id's: the client may leave.
  {
    HttpClient client(host.port);
    REQUIRE(submitHeld(client, "stays", 2).status == 200);
  }
  HttpClient client(host.port);
  release(client, "stays", 1);  // the next request on the host: the first client's close has been seen by now or never
  CHECK(client.get("/api/held_searches/stays", root).json()["cancelled"] == false);
  CHECK(host.process->output().find("held search [stays] cancelled") == std::string::npos);
}
