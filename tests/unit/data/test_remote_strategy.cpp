// The remote strategy `elasticsearch` and its cluster client over real loopback sockets
// (tests/support/loopback_peer.hpp) and real libcurl: failover between nodes, retry on
// 502/503/504, maxRetries and retryOnTimeout, dead nodes skipped for their cooldown, the
// error naming every node, authentication headers, path prefixes, encoded parameters,
// timeouts, prompt cancellation in flight, progress from the cluster's response, and the
// configuration checks.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cluster_client.hpp"
#include "cluster_config.hpp"
#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "remote_strategy.hpp"
#include "tests/support/loopback_peer.hpp"
#include "tests/support/temp_dir.hpp"

using namespace orrery::data;
using namespace std::chrono_literals;
using orrery::CancellationSource;
using orrery::test::LoopbackPeer;
using json = nlohmann::json;

namespace {

constexpr const char* kHits =
    R"({"took":3,"timed_out":false,"_shards":{"total":5,"successful":4,"skipped":0,"failed":1},"hits":{"total":{"value":2,"relation":"eq"},"hits":[]}})";

struct Pools {
  orrery::executors::ExecutorPool pool{1, 2, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  ~Pools() { executors.drain(std::chrono::steady_clock::now() + 10s); }
};

ClusterConfig nodes(std::vector<std::string> hosts, std::chrono::milliseconds timeout = 5s) {
  ClusterConfig config;
  config.hosts = std::move(hosts);
  config.requestTimeout = timeout;
  return config;
}

ClusterRequest searchRequest() {
  ClusterRequest request;
  request.target = "/logs/_search";
  request.body = R"({"query":{"match_all":{}}})";
  return request;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Recorded {
  std::mutex mutex;
  std::vector<SearchProgress> progress;
  std::promise<SearchOutcome> done;
};

// Starts a search and returns the future of its outcome.
std::future<SearchOutcome> start(RemoteStrategy& strategy, Recorded& recorded, const SearchOptions& options = {},
                                 const std::string& index = "logs") {
  auto future = recorded.done.get_future();
  strategy.search(index, R"({"size":0})", options,
                  [&recorded](const SearchProgress& p) {
                    std::lock_guard lock(recorded.mutex);
                    recorded.progress.push_back(p);
                  },
                  [&recorded](SearchOutcome outcome) { recorded.done.set_value(std::move(outcome)); });
  return future;
}

SearchOutcome finish(std::future<SearchOutcome>& future) {
  REQUIRE(future.wait_for(30s) == std::future_status::ready);
  return future.get();
}

// One whole search with the remote strategy on `hosts` (validated as setup does).
SearchOutcome searchOn(std::vector<std::string> hosts, Recorded& recorded, std::chrono::milliseconds timeout = 5s,
                       const SearchOptions& options = {}, const std::string& index = "logs") {
  Pools pools;
  auto config = validateClusterConfig(nodes(std::move(hosts), timeout), "data.elasticsearch");
  RemoteStrategy strategy(std::make_shared<ClusterClient>(config), pools.executors);
  auto future = start(strategy, recorded, options, index);
  return finish(future);
}

}  // namespace

TEST_CASE("a node that refuses connections is skipped: the next node answers") {
  LoopbackPeer dead(LoopbackPeer::Kind::refusing);
  LoopbackPeer alive(LoopbackPeer::Kind::answering, kHits);
  ClusterClient client(nodes({dead.url(), alive.url()}));
  const auto response = client.send(searchRequest(), {});
  REQUIRE(response.kind == ClusterResponse::Kind::answered);
  CHECK(response.status == 200);
  CHECK(response.body == kHits);
  CHECK(response.node == alive.url());
  REQUIRE(response.failures.size() == 1);
  CHECK(response.failures[0].node == dead.url());
  CHECK(contains(response.failures[0].reason, "Connection refused"));
  CHECK(alive.request().starts_with("POST /logs/_search HTTP/1.1\r\n"));
  CHECK(alive.request().ends_with("\r\n\r\n{\"query\":{\"match_all\":{}}}"));
  CHECK(contains(alive.request(), "Content-Type: application/json"));
}

TEST_CASE("a node answering 503 (or 502, 504) is retried on the next node; other errors are the answer") {
  for (const int busy : {502, 503, 504}) {
    CAPTURE(busy);
    LoopbackPeer overloaded(LoopbackPeer::Kind::answering, R"({"error":"busy"})", busy);
    LoopbackPeer alive(LoopbackPeer::Kind::answering, kHits);
    ClusterClient client(nodes({overloaded.url(), alive.url()}));
    const auto response = client.send(searchRequest(), {});
    CHECK(response.status == 200);
    CHECK(overloaded.requestCount() == 1);
    CHECK(alive.requestCount() == 1);
    REQUIRE(response.failures.size() == 1);
    CHECK(response.failures[0].reason == "answered HTTP " + std::to_string(busy));
  }
  // A 500 or 404 is the cluster's answer about this request: not retried elsewhere.
  LoopbackPeer failing(LoopbackPeer::Kind::answering, R"({"error":{"type":"x"},"status":500})", 500);
  LoopbackPeer other(LoopbackPeer::Kind::answering, kHits);
  ClusterClient client(nodes({failing.url(), other.url()}));
  CHECK(client.send(searchRequest(), {}).status == 500);
  CHECK(other.requestCount() == 0);
}

TEST_CASE("every node overloaded: the last node's own answer is passed on") {
  LoopbackPeer a(LoopbackPeer::Kind::answering, R"({"node":"a"})", 503);
  LoopbackPeer b(LoopbackPeer::Kind::answering, R"({"node":"b"})", 503);
  ClusterClient client(nodes({a.url(), b.url()}));
  const auto response = client.send(searchRequest(), {});
  CHECK(response.kind == ClusterResponse::Kind::answered);
  CHECK(response.status == 503);
  CHECK(response.body == R"({"node":"b"})");
  CHECK(response.failures.size() == 2);
}

TEST_CASE("each request starts from the next node in turn, and tries each node at most once") {
  LoopbackPeer a(LoopbackPeer::Kind::answering, kHits);
  LoopbackPeer b(LoopbackPeer::Kind::answering, kHits);
  ClusterClient client(nodes({a.url(), b.url()}));
  CHECK(client.send(searchRequest(), {}).node == a.url());
  CHECK(client.send(searchRequest(), {}).node == b.url());
  CHECK(client.send(searchRequest(), {}).node == a.url());
  CHECK(a.requestCount() == 2);
  CHECK(b.requestCount() == 1);
}

TEST_CASE("connections are kept alive between requests to a node") {
  LoopbackPeer node(LoopbackPeer::Kind::keepAlive, kHits);
  ClusterClient client(nodes({node.url()}));
  for (int i = 0; i < 3; ++i) CHECK(client.send(searchRequest(), {}).status == 200);
  CHECK(node.requestCount() == 3);
  CHECK(node.connectionCount() == 1);
}

TEST_CASE("no node reachable: an Elasticsearch error body naming every node and why") {
  LoopbackPeer first(LoopbackPeer::Kind::refusing);
  LoopbackPeer second(LoopbackPeer::Kind::refusing);
  Recorded recorded;
  const auto outcome = searchOn({first.url(), second.url()}, recorded);
  CHECK(outcome.status == 502);
  const auto body = json::parse(outcome.body);
  CHECK(body["status"] == 502);
  CHECK(body["error"]["type"] == "connect_transport_exception");
  CHECK(body["error"]["root_cause"][0]["type"] == "connect_transport_exception");
  const auto reason = body["error"]["reason"].get<std::string>();
  CAPTURE(reason);
  CHECK(reason.starts_with("no node of the remote cluster could be reached: "));
  CHECK(contains(reason, first.url() + ": "));
  CHECK(contains(reason, second.url() + ": "));
  CHECK(contains(reason, "Connection refused"));
  CHECK(recorded.progress.empty());
}

TEST_CASE("Basic authentication and API keys are sent as Elasticsearch expects them") {
  // The request head a node receives from a client with `username`, `password`, `apiKey`.
  const auto received = [](const std::string& username, const std::string& password, const std::string& apiKey) {
    LoopbackPeer node(LoopbackPeer::Kind::answering, kHits);
    auto config = nodes({node.url()});
    config.username = username;
    config.password = password;
    config.apiKey = apiKey;
    ClusterClient client(config);
    CHECK(client.send(searchRequest(), {}).status == 200);
    return node.request();
  };
  CHECK(contains(received("elastic", "pw", ""), "Authorization: Basic ZWxhc3RpYzpwdw==\r\n"));
  CHECK(contains(received("", "", "a2V5OnNlY3JldA=="), "Authorization: ApiKey a2V5OnNlY3JldA==\r\n"));
  CHECK_FALSE(contains(received("", "", ""), "Authorization:"));
}

TEST_CASE("a node URL's path prefix is kept, and index and parameters are percent-encoded") {
  LoopbackPeer node(LoopbackPeer::Kind::answering, kHits);
  SearchOptions options;
  options.parameters = {{"q", "level:error AND msg:\"a&b\""}, {"typed_keys", ""}, {"sort", "ts:desc"}, {"from", "10"}};
  Recorded recorded;
  CHECK(searchOn({node.url() + "/es/"}, recorded, 5s, options, "logs-*,other 1").status == 200);
  CHECK(node.request().starts_with(
      "POST /es/logs-*,other%201/_search?q=level%3Aerror%20AND%20msg%3A%22a%26b%22&typed_keys&sort=ts%3Adesc&from=10 "
      "HTTP/1.1\r\n"));
  CHECK(node.request().ends_with("\r\n\r\n{\"size\":0}"));
}

TEST_CASE("the search target of an empty index expression is the cluster's /_search") {
  CHECK(searchTarget("", {}) == "/_search");
  CHECK(searchTarget("a", {{"size", "0"}}) == "/a/_search?size=0");
}

TEST_CASE("progress comes from the cluster's _shards, then the response is passed on unchanged") {
  LoopbackPeer node(LoopbackPeer::Kind::answering, kHits);
  Recorded recorded;
  const auto outcome = searchOn({node.url()}, recorded);
  CHECK(outcome.status == 200);
  CHECK(outcome.body == kHits);
  std::lock_guard lock(recorded.mutex);
  REQUIRE(recorded.progress.size() == 1);
  CHECK(recorded.progress[0].total == 5);
  CHECK(recorded.progress[0].successful == 4);
  CHECK(recorded.progress[0].failed == 1);
  CHECK(recorded.progress[0].skipped == 0);
  CHECK(recorded.progress[0].partialResponse == kHits);
}

TEST_CASE("an Elasticsearch error from the cluster passes through with its status") {
  const std::string error =
      R"({"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]"}],"type":"index_not_found_exception","reason":"no such index [x]"},"status":404})";
  LoopbackPeer node(LoopbackPeer::Kind::answering, error, 404);
  Recorded recorded;
  const auto outcome = searchOn({node.url()}, recorded);
  CHECK(outcome.status == 404);
  CHECK(outcome.body == error);
  CHECK(recorded.progress.empty());
}

TEST_CASE("a node that never answers: the request timeout ends it, named as a timeout") {
  LoopbackPeer silent(LoopbackPeer::Kind::silent);
  Recorded recorded;
  const auto outcome = searchOn({silent.url()}, recorded, 300ms);
  CHECK(outcome.status == 504);
  const auto body = json::parse(outcome.body);
  CHECK(body["error"]["type"] == "timeout_exception");
  const auto reason = body["error"]["reason"].get<std::string>();
  CAPTURE(reason);
  CHECK(contains(reason, silent.url() + ": "));
  CHECK(contains(reason, "timed out"));
}

TEST_CASE("cancelling a search in flight aborts the request: task_cancelled_exception") {
  LoopbackPeer holding(LoopbackPeer::Kind::holding);
  LoopbackPeer other(LoopbackPeer::Kind::answering, kHits);
  Pools pools;
  // A long timeout: only the cancellation can end this request quickly.
  RemoteStrategy strategy(std::make_shared<ClusterClient>(nodes({holding.url(), other.url()}, 60s)), pools.executors);
  CancellationSource cancel;
  SearchOptions options;
  options.cancellation = cancel.token();
  Recorded recorded;
  auto future = start(strategy, recorded, options);
  REQUIRE(holding.waitForRequest(10s));  // the request is now in flight, unanswered
  cancel.cancel();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  const auto outcome = future.get();
  CHECK(outcome.status == 400);
  CHECK(json::parse(outcome.body)["error"]["type"] == "task_cancelled_exception");
  CHECK(other.requestCount() == 0);  // a cancelled request is not retried elsewhere
}

TEST_CASE("the plugin's stop token aborts a request in flight too") {
  LoopbackPeer holding(LoopbackPeer::Kind::holding);
  Pools pools;
  CancellationSource stop;
  RemoteStrategy strategy(std::make_shared<ClusterClient>(nodes({holding.url()}, 60s)), pools.executors, stop.token());
  Recorded recorded;
  auto future = start(strategy, recorded);
  REQUIRE(holding.waitForRequest(10s));
  stop.cancel();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  CHECK(json::parse(future.get().body)["error"]["type"] == "task_cancelled_exception");
}

TEST_CASE("a cancel wakes the request at once, not at curl's next idle tick, long before the timeout") {
  Pools pools;
  // Several rounds: where a cancel lands between curl's idle wake-ups varies, and one
  // that waits for them is caught only when it lands early.
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    LoopbackPeer holding(LoopbackPeer::Kind::holding);
    RemoteStrategy strategy(std::make_shared<ClusterClient>(nodes({holding.url()}, 60s)), pools.executors);
    CancellationSource cancel;
    SearchOptions options;
    options.cancellation = cancel.token();
    Recorded recorded;
    auto future = start(strategy, recorded, options);
    REQUIRE(holding.waitForRequest(10s));  // curl now waits for an answer that never comes
    cancel.cancel();
    // A cancel seen only when curl next looks up from a quiet connection (its progress
    // callback, or a poll nobody wakes) ends up to about 200 ms later with libcurl 7.88;
    // a woken transfer ends in a few milliseconds.
    REQUIRE(future.wait_for(100ms) == std::future_status::ready);
    CHECK(json::parse(future.get().body)["error"]["type"] == "task_cancelled_exception");
  }
}

TEST_CASE("a token cancelled before the request starts: nothing is sent") {
  LoopbackPeer node(LoopbackPeer::Kind::answering, kHits);
  ClusterClient client(nodes({node.url()}));
  CancellationSource cancel;
  cancel.cancel();
  const auto response = client.send(searchRequest(), cancel.token());
  CHECK(response.kind == ClusterResponse::Kind::cancelled);
  CHECK(node.connectionCount() == 0);
}

TEST_CASE("a request makes at most maxRetries + 1 attempts, each on another node") {
  LoopbackPeer a(LoopbackPeer::Kind::refusing);
  LoopbackPeer b(LoopbackPeer::Kind::refusing);
  LoopbackPeer c(LoopbackPeer::Kind::refusing);
  LoopbackPeer d(LoopbackPeer::Kind::refusing);
  for (const int maxRetries : {0, 1, 2, 3, 10}) {
    CAPTURE(maxRetries);
    auto config = nodes({a.url(), b.url(), c.url(), d.url()});
    config.maxRetries = maxRetries;
    ClusterClient client(config);
    const auto response = client.send(searchRequest(), {});
    CHECK(response.kind == ClusterResponse::Kind::unreachable);
    // Four nodes: never more than four attempts, however many retries are allowed.
    CHECK(response.failures.size() == static_cast<std::size_t>(std::min(maxRetries + 1, 4)));
  }
}

TEST_CASE("the default is the Elasticsearch client's: 3 retries, timeouts not retried") {
  const ClusterConfig defaults;
  CHECK(defaults.maxRetries == 3);
  CHECK_FALSE(defaults.retryOnTimeout);
}

TEST_CASE("a node that timed out is not retried elsewhere unless retryOnTimeout: 504 naming the one node") {
  LoopbackPeer slow(LoopbackPeer::Kind::holding);
  LoopbackPeer other(LoopbackPeer::Kind::answering, kHits);
  Recorded recorded;
  const auto outcome = searchOn({slow.url(), other.url()}, recorded, 300ms);
  CHECK(outcome.status == 504);
  const auto reason = json::parse(outcome.body)["error"]["reason"].get<std::string>();
  CAPTURE(reason);
  CHECK(contains(reason, slow.url() + ": "));
  CHECK_FALSE(contains(reason, other.url()));
  CHECK(other.connectionCount() == 0);
}

TEST_CASE("with retryOnTimeout, timed-out attempts go on to other nodes, bounded by maxRetries in count and time") {
  LoopbackPeer a(LoopbackPeer::Kind::holding);
  LoopbackPeer b(LoopbackPeer::Kind::holding);
  LoopbackPeer c(LoopbackPeer::Kind::holding);
  constexpr auto kTimeout = 400ms;
  auto config = nodes({a.url(), b.url(), c.url()}, kTimeout);
  config.maxRetries = 1;
  config.retryOnTimeout = true;
  ClusterClient client(config);
  const auto began = std::chrono::steady_clock::now();
  const auto response = client.send(searchRequest(), {});
  const auto took = std::chrono::steady_clock::now() - began;
  CHECK(response.kind == ClusterResponse::Kind::unreachable);
  REQUIRE(response.failures.size() == 2);
  CHECK(response.failures[0].node == a.url());
  CHECK(response.failures[1].node == b.url());
  CHECK(response.failures[0].timedOut);
  CHECK(response.failures[1].timedOut);
  // Two whole timeouts were waited, and not a third: the total is (maxRetries + 1) x the
  // request timeout.
  CHECK(took >= 2 * kTimeout);
  CHECK(took < 3 * kTimeout);
  CHECK(c.connectionCount() == 0);
  // Retried timeouts mark the nodes dead, as the Elasticsearch client does.
  CHECK(client.nodes().isDead(0, NodePool::Clock::now()));
}

TEST_CASE("a node that failed to connect is skipped while it cools down, and the others answer without it") {
  LoopbackPeer dead(LoopbackPeer::Kind::refusing);
  LoopbackPeer alive(LoopbackPeer::Kind::answering, kHits);
  auto config = nodes({dead.url(), alive.url()});
  config.deadNodeCooldown = 60s;
  ClusterClient client(config);
  const auto first = client.send(searchRequest(), {});
  CHECK(first.node == alive.url());
  CHECK(first.failures.size() == 1);
  CHECK(client.nodes().isDead(0, NodePool::Clock::now()));
  // Rotation would put the dead node first on every other request; cooling down, it costs
  // no attempt.
  for (int i = 0; i < 4; ++i) {
    const auto response = client.send(searchRequest(), {});
    CHECK(response.node == alive.url());
    CHECK(response.failures.empty());
  }
  CHECK(alive.requestCount() == 5);
}

TEST_CASE("a node answering 503 cools down too; a zero cooldown tries a failed node again at once") {
  LoopbackPeer overloaded(LoopbackPeer::Kind::answering, R"({"error":"busy"})", 503);
  LoopbackPeer alive(LoopbackPeer::Kind::answering, kHits);
  ClusterClient cooling(nodes({overloaded.url(), alive.url()}));
  CHECK(cooling.send(searchRequest(), {}).failures.size() == 1);
  CHECK(cooling.send(searchRequest(), {}).failures.empty());
  CHECK(cooling.send(searchRequest(), {}).failures.empty());
  CHECK(overloaded.requestCount() == 1);

  auto config = nodes({overloaded.url(), alive.url()});
  config.deadNodeCooldown = 0ms;
  config.deadNodeCooldownMax = 0ms;
  ClusterClient never(config);
  CHECK(never.send(searchRequest(), {}).failures.size() == 1);
  CHECK(never.send(searchRequest(), {}).failures.empty());  // starts at the other node in turn
  CHECK(never.send(searchRequest(), {}).failures.size() == 1);
  CHECK(overloaded.requestCount() == 3);
}

TEST_CASE("every node dead: they are all tried anyway") {
  LoopbackPeer a(LoopbackPeer::Kind::refusing);
  LoopbackPeer b(LoopbackPeer::Kind::refusing);
  auto config = nodes({a.url(), b.url()});
  config.deadNodeCooldown = 60s;
  ClusterClient client(config);
  CHECK(client.send(searchRequest(), {}).failures.size() == 2);
  CHECK(client.nodes().isDead(0, NodePool::Clock::now()));
  CHECK(client.nodes().isDead(1, NodePool::Clock::now()));
  CHECK(client.send(searchRequest(), {}).failures.size() == 2);
}

TEST_CASE("a CA file that is gone at request time is named in the error, nothing is sent") {
  orrery::test::TempDir dir;
  dir.write("ca.pem", "not used");
  LoopbackPeer node(LoopbackPeer::Kind::answering, kHits);
  auto config = validateClusterConfig(nodes({node.url()}), "data.elasticsearch");
  config.certificateAuthority = (dir.path() / "ca.pem").string();
  ClusterClient client(validateClusterConfig(config, "data.elasticsearch"));
  std::filesystem::remove(dir.path() / "ca.pem");
  const auto response = client.send(searchRequest(), {});
  CHECK(response.kind == ClusterResponse::Kind::unreachable);
  CHECK(response.describeFailures() == node.url() + ": the CA file " + config.certificateAuthority + " does not exist");
  CHECK(node.requestCount() == 0);
}

TEST_CASE("configuration checks name the key and the problem") {
  const auto refused = [](ClusterConfig config) -> std::string {
    try {
      validateClusterConfig(std::move(config), "data.elasticsearch");
    } catch (const ClusterConfigError& e) {
      return e.what();
    }
    return "accepted";
  };
  CHECK(refused(nodes({"ftp://h:1"})) == "data.elasticsearch.hosts[0]: [ftp://h:1] must start with http:// or https://");
  CHECK(refused(nodes({"http://a:9200", "localhost:9200"})) ==
        "data.elasticsearch.hosts[1]: [localhost:9200] must start with http:// or https://");
  CHECK(refused(nodes({"https://"})) == "data.elasticsearch.hosts[0]: [https://] has no host");
  CHECK(refused(nodes({"http://:9200/es"})) == "data.elasticsearch.hosts[0]: [http://:9200/es] has no host");
  CHECK(refused(nodes({"http://u:p@h:9200"})) ==
        "data.elasticsearch.hosts[0]: [http://u:p@h:9200] carries credentials; use the username and password or "
        "apiKey settings");
  CHECK(refused(nodes({"http://h:9200?x=1"})) ==
        "data.elasticsearch.hosts[0]: [http://h:9200?x=1] may carry a path prefix but no query or fragment");

  auto passwordOnly = nodes({"http://h:9200"});
  passwordOnly.password = "pw";
  CHECK(refused(passwordOnly) == "data.elasticsearch.password: is set but data.elasticsearch.username is not");

  auto both = nodes({"http://h:9200"});
  both.username = "u";
  both.password = "pw";
  both.apiKey = "k";
  CHECK(refused(both) ==
        "data.elasticsearch.apiKey: and data.elasticsearch.password are both set; use one of them");

  auto missingCa = nodes({"https://h:9200"});
  missingCa.certificateAuthority = "/nonexistent/ca.pem";
  CHECK(refused(missingCa) == "data.elasticsearch.ssl.certificateAuthority: no such file: /nonexistent/ca.pem");

  auto negativeRetries = nodes({"http://h:9200"});
  negativeRetries.maxRetries = -1;
  CHECK(refused(negativeRetries) == "data.elasticsearch.maxRetries: must be 0 or more, got -1");

  auto negativeCooldown = nodes({"http://h:9200"});
  negativeCooldown.deadNodeCooldown = -1ms;
  CHECK(refused(negativeCooldown) == "data.elasticsearch.deadNodeCooldown: must not be negative");

  auto capBelowCooldown = nodes({"http://h:9200"});
  capBelowCooldown.deadNodeCooldown = 10s;
  capBelowCooldown.deadNodeCooldownMax = 5s;
  CHECK(refused(capBelowCooldown) ==
        "data.elasticsearch.deadNodeCooldownMax: (5000ms) is shorter than data.elasticsearch.deadNodeCooldown (10000ms)");

  auto noTimeout = nodes({"http://h:9200"});
  noTimeout.requestTimeout = 0ms;
  CHECK(refused(noTimeout) == "data.elasticsearch.requestTimeout: must be at least 1ms");

  CHECK_THROWS_WITH_AS(checkDefaultStrategy("elasticsearch", nodes({}), "data.search.defaultStrategy", "data.elasticsearch.hosts"),
                       "data.search.defaultStrategy: is 'elasticsearch' but data.elasticsearch.hosts is empty; name the "
                       "cluster's node URLs there",
                       ClusterConfigError);
  CHECK_NOTHROW(checkDefaultStrategy("local", nodes({}), "data.search.defaultStrategy", "data.elasticsearch.hosts"));

  const auto good = validateClusterConfig(nodes({"http://h:9200/", "https://[::1]:9243/proxy/es//"}), "data.elasticsearch");
  CHECK(good.hosts == std::vector<std::string>{"http://h:9200", "https://[::1]:9243/proxy/es"});
}
