// The remote search strategy through real binaries: host B is a normal Orrery host with
// an index loaded through its /es API (security on, a user's credentials); host A names
// a dead node and B's /es as its remote cluster. Searches through A's
// /internal/search/{strategy} return B's hits and aggregations, A's own /es still
// searches A's embedded engine, a stopped B gives a clear error while A keeps running,
// HTTPS nodes are verified against the configured CA, and a bad configuration is refused
// at setup naming the key.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sys/wait.h>

#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"
#include "tests/support/loopback_peer.hpp"

using harness::HostSetup;
using harness::HttpClient;
using json = nlohmann::json;

namespace {

const harness::Headers kJson{{"Content-Type", "application/json"}};
const harness::Headers kAlice{{"Authorization", harness::basicAuthorization("alice", "correct horse")},
                              {"Content-Type", "application/json"}};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void addUser(const HostSetup& setup) {
  const std::string command = "printf '%s\\n' 'correct horse' | " + harness::orreryBinary().string() +
                              " users add alice --role superuser --file " +
                              (setup.root() / "data" / "security" / "users.yml").string() + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

// Host B: the cluster. Security on; alice may do anything.
struct ClusterHost : harness::RunningHost {
  explicit ClusterHost(const std::string& extraConfig = "") {
    addUser(setup);
    setup.writeConfig("logging:\n  loggers:\n    http.access: warn\n" + extraConfig);
    start();
  }
};

void loadLogs(HttpClient& client, const harness::Headers& headers) {
  REQUIRE(client.send("PUT", "/es/logs", R"({"settings":{"number_of_shards":2}})", headers).status == 200);
  std::string bulk;
  const char* levels[] = {"info", "warn", "error"};
  for (int i = 0; i < 30; ++i) {
    // Appended piecewise: g++ 12 at -O3 warns (-Wrestrict) on chained operator+.
    bulk.append(R"({"index":{"_id":")").append(std::to_string(i)).append("\"}}\n");
    bulk.append(R"({"level":")").append(levels[i % 3]).append(R"(","ms":)").append(std::to_string(i * 10)).append("}\n");
  }
  auto ndjson = headers;
  ndjson.back() = {"Content-Type", "application/x-ndjson"};
  const auto loaded = client.send("POST", "/es/logs/_bulk?refresh=true", bulk, ndjson);
  REQUIRE(loaded.status == 200);
  REQUIRE(loaded.json()["errors"] == false);
}

const json kSearch = {{"size", 5},
                      {"sort", json::array({json{{"ms", "desc"}}})},
                      {"query", {{"range", {{"ms", {{"gte", 50}}}}}}},
                      {"aggs", {{"levels", {{"terms", {{"field", "level.keyword"}}}}}, {"avg_ms", {{"avg", {{"field", "ms"}}}}}}}};

const std::string kAliceYaml = "    username: alice\n    password: correct horse\n";

// Host A: its remote cluster is `hostsYaml` (a YAML list), with `credentials` (alice's
// by default) and `extra` keys under data.elasticsearch.
std::string remoteConfig(const std::string& hostsYaml, const std::string& extra = "",
                         const std::string& credentials = kAliceYaml) {
  std::string yaml =
      "security:\n  enabled: false\nlogging:\n  loggers:\n    http.access: warn\ndata:\n  search:\n"
      "    defaultStrategy: elasticsearch\n  elasticsearch:\n    hosts: ";
  yaml.append(hostsYaml).append("\n").append(credentials).append(extra);
  return yaml;
}

std::string internalSearch(const json& params) { return json{{"params", params}, {"legacyHitsTotal", false}}.dump(); }

void makeCertificate(const std::filesystem::path& dir) {
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
                              "subjectAltName=IP:127.0.0.1 -keyout " + (dir / "key.pem").string() + " -out " +
                              (dir / "cert.pem").string() + " >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
}

}  // namespace

TEST_CASE("host A searches host B's /es through the remote strategy, past a dead node; A's /es stays its own") {
  ClusterHost b;
  HttpClient clientB(b.port);
  loadLogs(clientB, kAlice);
  const auto direct = clientB.send("POST", "/es/logs/_search", kSearch.dump(), kAlice);
  REQUIRE(direct.status == 200);
  const auto expected = direct.json();
  REQUIRE(expected["hits"]["total"]["value"] == 25);
  // /internal/search needs a user like other /internal routes, and searches B's own engine
  // with `local`.
  CHECK(clientB.send("POST", "/internal/search/local", internalSearch({{"index", "logs"}}), kJson).status == 401);
  const auto local = clientB.send("POST", "/internal/search/local", internalSearch({{"index", "logs"}, {"body", kSearch}}), kAlice);
  REQUIRE(local.status == 200);
  CHECK(local.json()["rawResponse"]["hits"] == expected["hits"]);

  orrery::test::LoopbackPeer dead(orrery::test::LoopbackPeer::Kind::refusing);
  std::string nodeB = "http://127.0.0.1:";
  nodeB.append(std::to_string(b.port)).append("/es");
  harness::RunningHost a;
  a.setup.writeConfig(remoteConfig("[\"" + dead.url() + "\", \"" + nodeB + "\"]"));
  a.start();
  CHECK(a.process->waitForOutput("search strategy elasticsearch: remote cluster at " + dead.url() + ", " + nodeB));
  HttpClient clientA(a.port);

  // Twice by name and once as Kibana's `es` (the default): the rotating first node means
  // the dead node is tried first at least once, and skipped.
  for (const std::string strategy : {"elasticsearch", "elasticsearch", "es"}) {
    CAPTURE(strategy);
    const auto result =
        clientA.send("POST", "/internal/search/" + strategy, internalSearch({{"index", "logs"}, {"body", kSearch}}), kJson);
    REQUIRE_MESSAGE(result.status == 200, result.body);
    const auto body = result.json();
    CHECK(body["isPartial"] == false);
    CHECK(body["isRunning"] == false);
    CHECK(body["total"] == 2);
    CHECK(body["loaded"] == 2);
    const auto& raw = body["rawResponse"];
    CHECK(raw["hits"] == expected["hits"]);
    CHECK(raw["aggregations"] == expected["aggregations"]);
    CHECK(raw["_shards"] == expected["_shards"]);
  }

  // URI parameters travel: typed_keys renames the aggregations as Elasticsearch does.
  const auto typed = clientA.send("POST", "/internal/search/elasticsearch",
                                  internalSearch({{"index", "logs"}, {"body", kSearch}, {"typed_keys", true}}), kJson);
  REQUIRE(typed.status == 200);
  CHECK(typed.json()["rawResponse"]["aggregations"].contains("sterms#levels"));

  // Kibana's default legacyHitsTotal: hits.total as a number.
  const auto legacy = clientA.send("POST", "/internal/search/es", json{{"params", {{"index", "logs"}, {"body", kSearch}}}}.dump(), kJson);
  CHECK(legacy.json()["rawResponse"]["hits"]["total"] == 25);

  // A cluster error passes through with its status, in Kibana's error shape.
  const auto missing = clientA.send("POST", "/internal/search/elasticsearch", internalSearch({{"index", "nothing"}}), kJson);
  CHECK(missing.status == 404);
  CHECK(missing.json()["statusCode"] == 404);
  CHECK(missing.json()["error"] == "Not Found");
  CHECK(has(missing.json()["message"].get<std::string>(), "index_not_found_exception"));
  CHECK(missing.json()["attributes"]["error"]["type"] == "index_not_found_exception");

  // A's embedded engine has no `logs`: /es and the `local` strategy search it, not B.
  CHECK(clientA.send("POST", "/es/logs/_search", kSearch.dump(), kJson).status == 404);
  CHECK(clientA.send("POST", "/internal/search/local", internalSearch({{"index", "logs"}}), kJson).status == 404);
  REQUIRE(clientA.send("PUT", "/es/logs/_doc/a?refresh=true", R"({"level":"local","ms":1})", kJson).status == 201);
  const auto own = clientA.send("POST", "/es/logs/_search", "{}", kJson).json();
  CHECK(own["hits"]["total"]["value"] == 1);
  CHECK(own["hits"]["hits"][0]["_id"] == "a");
  CHECK(clientA.send("POST", "/es/logs/_count", "{}", kJson).json()["count"] == 1);

  const auto unknown = clientA.send("POST", "/internal/search/nope", internalSearch({{"index", "logs"}}), kJson);
  CHECK(unknown.status == 404);
  CHECK(has(unknown.json()["message"].get<std::string>(), "Search strategy [nope] not found"));

  const auto badBody = clientA.send("POST", "/internal/search/elasticsearch", R"({"params":{"body":[1]}})", kJson);
  CHECK(badBody.status == 400);
  CHECK(has(badBody.json()["message"].get<std::string>(), "request body.params.body"));
  const auto listed = clientA.send("POST", "/internal/search/elasticsearch",
                                   internalSearch({{"index", json::array({"lo*"})}, {"body", kSearch}}), kJson);
  REQUIRE(listed.status == 200);
  CHECK(listed.json()["rawResponse"]["hits"] == expected["hits"]);
  const auto badList = clientA.send("POST", "/internal/search/elasticsearch",
                                    internalSearch({{"index", json::array({"logs", 1})}}), kJson);
  CHECK(badList.status == 400);
  CHECK(has(badList.json()["message"].get<std::string>(), "[request body.params.index]: expected a string, number, "
                                                          "boolean or list of strings but got [array]"));
  const auto noParams = clientA.send("POST", "/internal/search/elasticsearch", R"({"index":"logs"})", kJson);
  CHECK(noParams.status == 400);
  CHECK(has(noParams.json()["message"].get<std::string>(), "[request body.index]: definition for this key is missing"));

  // B stops: A answers with the nodes and reasons, and keeps running.
  b.stop();
  const auto down = clientA.send("POST", "/internal/search/elasticsearch", internalSearch({{"index", "logs"}}), kJson);
  CHECK(down.status == 502);
  const auto message = down.json()["message"].get<std::string>();
  CAPTURE(message);
  CHECK(has(message, "connect_transport_exception: no node of the remote cluster could be reached: "));
  CHECK(has(message, dead.url() + ": "));
  CHECK(has(message, nodeB + ": "));
  CHECK(has(message, "Connection refused"));
  CHECK(clientA.get("/api/status").status == 200);
  CHECK(clientA.send("POST", "/es/logs/_search", "{}", kJson).json()["hits"]["total"]["value"] == 1);
}

TEST_CASE("an API key made on host B authenticates host A's searches; refused credentials pass B's 401 on") {
  ClusterHost b;
  HttpClient clientB(b.port);
  loadLogs(clientB, kAlice);
  const auto created = clientB.send("POST", "/internal/security/api_key", R"({"name":"orrery-a"})", kAlice);
  REQUIRE(created.status == 200);
  const std::string encoded = created.json()["encoded"];
  std::string nodeB = "[\"http://127.0.0.1:";
  nodeB.append(std::to_string(b.port)).append("/es\"]");

  SUBCASE("api key") {
    harness::RunningHost a;
    a.setup.writeConfig(remoteConfig(nodeB, "", "    apiKey: " + encoded + "\n"));
    a.start();
    HttpClient clientA(a.port);
    const auto result = clientA.send("POST", "/internal/search/es", internalSearch({{"index", "logs"}}), kJson);
    CHECK_MESSAGE(result.status == 200, result.body);
    CHECK(result.json()["rawResponse"]["hits"]["total"]["value"] == 30);
  }
  SUBCASE("wrong password") {
    harness::RunningHost a;
    a.setup.writeConfig(remoteConfig(nodeB, "", "    username: alice\n    password: wrong horse\n"));
    a.start();
    HttpClient clientA(a.port);
    const auto result = clientA.send("POST", "/internal/search/es", internalSearch({{"index", "logs"}}), kJson);
    CHECK(result.status == 401);
    CHECK(result.json()["statusCode"] == 401);
  }
}

TEST_CASE("https nodes are verified against the configured CA") {
  ClusterHost b;
  // B again, over TLS: restarted with a certificate made for this test.
  b.stop();
  makeCertificate(b.setup.root());
  b.setup.writeConfig("logging:\n  loggers:\n    http.access: warn\nserver:\n  ssl:\n    enabled: true\n    certificate: " +
                      (b.setup.root() / "cert.pem").string() + "\n    key: " + (b.setup.root() / "key.pem").string() + "\n");
  b.start();
  HttpClient clientB(b.port, b.setup.root() / "cert.pem");
  loadLogs(clientB, kAlice);
  std::string nodeB = "[\"https://127.0.0.1:";
  nodeB.append(std::to_string(b.port)).append("/es\"]");

  SUBCASE("with the CA: B's hits") {
    harness::RunningHost a;
    a.setup.writeConfig(remoteConfig(nodeB, "    ssl:\n      certificateAuthority: " + (b.setup.root() / "cert.pem").string() + "\n"));
    a.start();
    HttpClient clientA(a.port);
    const auto result = clientA.send("POST", "/internal/search/es", internalSearch({{"index", "logs"}, {"body", kSearch}}), kJson);
    CHECK_MESSAGE(result.status == 200, result.body);
    CHECK(result.json()["rawResponse"]["hits"]["total"]["value"] == 25);
  }
  SUBCASE("without it: the certificate is refused, and the error says so") {
    harness::RunningHost a;
    a.setup.writeConfig(remoteConfig(nodeB));
    a.start();
    HttpClient clientA(a.port);
    const auto result = clientA.send("POST", "/internal/search/es", internalSearch({{"index", "logs"}}), kJson);
    CHECK(result.status == 502);
    CAPTURE(result.body);
    CHECK(has(result.json()["message"].get<std::string>(), "certificate"));
  }
}

TEST_CASE("a bad remote configuration fails the data plugin at setup, naming the key") {
  struct Case {
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"data:\n  search:\n    defaultStrategy: elasticsearch\n",
       "data.search.defaultStrategy: is 'elasticsearch' but data.elasticsearch.hosts is empty"},
      {"data:\n  elasticsearch:\n    hosts: [\"localhost:9200\"]\n",
       "data.elasticsearch.hosts[0]: [localhost:9200] must start with http:// or https://"},
      {"data:\n  elasticsearch:\n    hosts: [\"http://h:9200\"]\n    ssl:\n      certificateAuthority: /nonexistent/ca.pem\n",
       "data.elasticsearch.ssl.certificateAuthority: no such file: /nonexistent/ca.pem"},
      {"data:\n  elasticsearch:\n    hosts: [\"http://h:9200\"]\n    deadNodeCooldown: 10s\n    deadNodeCooldownMax: 5s\n",
       "data.elasticsearch.deadNodeCooldownMax: (5000ms) is shorter than data.elasticsearch.deadNodeCooldown (10000ms)"},
      {"data:\n  elasticsearch:\n    hosts: [\"http://h:9200\"]\n    maxRetries: -1\n",
       "data.elasticsearch.maxRetries: expected an integer between 0 and 100, got -1"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    HostSetup setup;
    setup.writeConfig("security:\n  enabled: false\n" + c.yaml);
    auto host = setup.start();
    CHECK_MESSAGE(host->waitForOutput(c.message), host->output());
    host->signal(SIGTERM);
    host->waitExit();
  }
}
