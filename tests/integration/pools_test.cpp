// One workload cannot starve the others, through the real binary: 200 remote searches
// waiting on a cluster node that accepts and never answers hold no pool thread, so
// /api/status, a storage-backed route and local /es searches keep their normal latency
// (measured against a baseline taken before the load, in the same test); a full queue
// answers 429 es_rejected_execution_exception under /es and 503 with Retry-After under
// /api and /internal; /api/status shows the pools' figures to a superuser only.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"

using harness::HttpClient;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

const harness::Headers kJson{{"Content-Type", "application/json"}};

harness::Headers as(const std::string& user, const std::string& password) {
  return {{"Authorization", harness::basicAuthorization(user, password)}, {"Content-Type", "application/json"}};
}

void addUser(const harness::HostSetup& setup, const std::string& name, const std::string& role) {
  const std::string command = "printf '%s\\n' 'correct horse' | " + harness::orreryBinary().string() + " users add " +
                              name + " --role " + role + " --file " +
                              (setup.root() / "data" / "security" / "users.yml").string() + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

// A cluster node that accepts every connection and never says a word: each remote search
// to it waits for the whole request timeout. Accepts until destroyed; then every
// connection is closed, which ends the searches waiting on it.
class MuteNode {
 public:
  MuteNode() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 1024) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        {
          std::lock_guard lock(mutex_);
          clients_.push_back(client);
        }
        changed_.notify_all();
      }
    });
  }
  ~MuteNode() { close(); }
  MuteNode(const MuteNode&) = delete;
  MuteNode& operator=(const MuteNode&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Waits until `count` connections were accepted; false at `timeout`.
  bool waitForConnections(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this, count] { return clients_.size() >= count; });
  }
  void close() {
    if (fd_ < 0) return;
    ::shutdown(fd_, SHUT_RDWR);  // wakes the accept()
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (const int client : clients_) ::close(client);
    clients_.clear();
    ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int> clients_;
  std::thread thread_;
};

// The slowest of `rounds` requests made by `request`, each checked by `ok`.
template <class Request>
Clock::duration slowest(int rounds, Request request) {
  Clock::duration worst{};
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    request();
    worst = std::max(worst, Clock::now() - start);
  }
  return worst;
}

double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string internalSearch(const json& params) { return json{{"params", params}}.dump(); }

}  // namespace

TEST_CASE("200 remote searches waiting on a silent node starve nothing: status, storage and local searches keep their latency") {
  MuteNode node;
  harness::RunningHost host;
  addUser(host.setup, "alice", "superuser");
  addUser(host.setup, "bob", "viewer");
  host.setup.writeConfig("logging:\n  loggers:\n    http.access: warn\ndata:\n  elasticsearch:\n    hosts: [\"" +
                         node.url() + "\"]\n    requestTimeout: 120s\n    maxRetries: 0\n");
  host.start();
  const auto alice = as("alice", "correct horse");
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/logs", R"({"settings":{"number_of_shards":2}})", alice).status == 200);
  REQUIRE(client.send("POST", "/es/logs/_doc?refresh=true", R"({"level":"info"})", alice).status == 201);

  // What each kind of request costs before the load. Checked every time: an answer that
  // is fast because it failed proves nothing.
  const auto status = [&client, &alice] { REQUIRE(client.send("GET", "/api/status", {}, alice).status == 200); };
  const auto storage = [&client, &alice] {
    const auto health = client.send("GET", "/api/task_manager/_health", {}, alice);
    REQUIRE_MESSAGE(health.status == 200, health.body);
  };
  const auto search = [&client, &alice] {
    const auto result = client.send("POST", "/es/logs/_search", R"({"query":{"match":{"level":"info"}}})", alice);
    REQUIRE_MESSAGE(result.status == 200, result.body);
    REQUIRE(result.json()["hits"]["total"]["value"] == 1);
  };
  const auto head = [&client, &alice] { REQUIRE(client.send("HEAD", "/es/logs", {}, alice).status == 200); };
  const auto baseline = std::max({slowest(5, status), slowest(5, storage), slowest(5, search), slowest(5, head)});

  // The load: 200 searches through the remote strategy, each waiting on the silent node.
  constexpr int kRemote = 200;
  std::vector<int> statuses(kRemote, 0);
  std::vector<std::thread> remote;
  for (int i = 0; i < kRemote; ++i) {
    remote.emplace_back([&statuses, &host, &alice, i] {
      HttpClient own(host.port, std::nullopt, 300s);
      statuses[i] = own.send("POST", "/internal/search/elasticsearch", internalSearch({{"index", "logs"}}), alice).status;
    });
  }
  // Every one of them is now waiting on the node (the host has sent each request).
  REQUIRE(node.waitForConnections(kRemote, 120s));

  // Generous: ten times the slowest baseline request, plus half a second for a loaded
  // machine; a pool held by the remote searches would make these wait two minutes.
  const auto limit = baseline * 10 + 500ms;
  const auto loaded = std::max({slowest(5, status), slowest(5, storage), slowest(5, search), slowest(5, head)});
  MESSAGE("slowest request: " << millis(baseline) << " ms before the load, " << millis(loaded) << " ms during it");
  CHECK(loaded <= limit);

  // The pools' figures: a superuser sees them; another user and anonymous callers do not.
  const auto full = client.send("GET", "/api/status", {}, alice).json();
  REQUIRE(full["metrics"].contains("executors"));
  for (const char* pool : {"search", "write", "storage", "hashing", "blocking"}) {
    CAPTURE(pool);
    const auto& figures = full["metrics"]["executors"][pool];
    CHECK(figures["threads"].get<int>() >= 1);
    for (const char* key : {"active", "queue", "queue_capacity", "completed", "rejected"}) CHECK(figures.contains(key));
    CHECK(figures["queue_wait_ms"].contains("p50"));
    CHECK(figures["queue_wait_ms"].contains("p99"));
    CHECK(figures["queue_wait_ms"].contains("max"));
  }
  // The waiting remote searches hold no search thread.
  CHECK(full["metrics"]["executors"]["search"]["active"] == 0);
  const auto viewer = client.send("GET", "/api/status", {}, as("bob", "correct horse"));
  REQUIRE(viewer.status == 200);
  CHECK(viewer.json().contains("metrics"));
  CHECK_FALSE(viewer.json()["metrics"].contains("executors"));
  CHECK_FALSE(client.send("GET", "/api/status").json().contains("metrics"));

  // The node hangs up: every remote search ends with the cluster's failure, none hangs.
  node.close();
  for (auto& thread : remote) thread.join();
  for (int i = 0; i < kRemote; ++i) {
    CAPTURE(i);
    CHECK(statuses[i] == 502);
  }
}

TEST_CASE("full queues: 429 es_rejected_execution_exception under /es, 503 with Retry-After under /api and /internal") {
  harness::RunningHost host;
  addUser(host.setup, "alice", "superuser");
  host.setup.writeConfig("logging:\n  loggers:\n    http.access: warn\ndata:\n  search:\n    defaultStrategy: local\n");
  // One search thread, nothing may wait; one hashing thread, nothing may wait.
  host.start({"--set", "security.failedLogins.threshold=1000", "--set", "executors.search.threads=1", "--set", "executors.search.queueSize=0", "--set",
              "executors.hashing.threads=1", "--set", "executors.hashing.queueSize=0"});
  const auto alice = as("alice", "correct horse");
  HttpClient client(host.port);
  REQUIRE(client.send("PUT", "/es/logs", R"({"settings":{"number_of_shards":3}})", alice).status == 200);
  REQUIRE(client.send("POST", "/es/logs/_doc?refresh=true", R"({"level":"info"})", alice).status == 201);

  // A search runs its first shard on its own thread; the other two find the only search
  // thread busy and no room to wait: they fail as Elasticsearch's refused shards do.
  const auto partial = client.send("POST", "/es/logs/_search", "{}", alice);
  REQUIRE_MESSAGE(partial.status == 200, partial.body);
  const auto shards = partial.json()["_shards"];
  CHECK(shards["total"] == 3);
  CHECK(shards["failed"] == 2);
  const auto reason = partial.json()["_shards"]["failures"][0]["reason"];
  CHECK(reason["type"] == "es_rejected_execution_exception");
  CHECK(reason["reason"].get<std::string>().find("queue capacity = 0") != std::string::npos);

  // A flood of Basic credentials, each new (no verification cache): the one hashing thread
  // takes one, the others are refused at once instead of queueing behind argon2id.
  constexpr int kFlood = 30;
  std::vector<harness::HttpResult> es(kFlood), api(kFlood);
  std::atomic<int> arrived{0};
  std::vector<std::thread> flood;
  for (int i = 0; i < kFlood; ++i) {
    flood.emplace_back([&, i] {
      // Each on a connection of its own: a refused request's connection is closed.
      HttpClient own(host.port), other(host.port);
      const auto wrong = as("alice", "wrong " + std::to_string(i));
      ++arrived;
      while (arrived.load() < kFlood) std::this_thread::yield();  // all at once
      es[i] = own.send("GET", "/es/", {}, wrong);
      api[i] = other.send("GET", "/internal/security/me", {}, wrong);
    });
  }
  for (auto& thread : flood) thread.join();
  int refusedEs = 0, refusedApi = 0;
  for (int i = 0; i < kFlood; ++i) {
    CAPTURE(i);
    CHECK((es[i].status == 401 || es[i].status == 429));
    CHECK((api[i].status == 401 || api[i].status == 503));
    if (es[i].status == 429) {
      ++refusedEs;
      const auto body = es[i].json();
      CHECK(body["status"] == 429);
      CHECK(body["error"]["type"] == "es_rejected_execution_exception");
      CHECK(body["error"]["reason"].get<std::string>().find("rejected execution of") == 0);
      CHECK(body["error"]["reason"].get<std::string>().find("name = hashing") != std::string::npos);
    }
    if (api[i].status == 503) {
      ++refusedApi;
      CHECK(api[i].header("Retry-After").has_value());
      CHECK(api[i].json()["statusCode"] == 503);
    }
  }
  CHECK(refusedEs > 0);
  CHECK(refusedApi > 0);

  // The refusals are counted where the operator looks.
  const auto status = client.send("GET", "/api/status", {}, alice).json();
  CHECK(status["metrics"]["executors"]["search"]["rejected"].get<int>() >= 2);
  CHECK(status["metrics"]["executors"]["hashing"]["rejected"].get<int>() >= refusedEs + refusedApi);
  CHECK(status["metrics"]["executors"]["search"]["queue_capacity"] == 0);
}

TEST_CASE("pool sizes are config keys: a bad one stops the host naming it") {
  harness::HostSetup setup;
  auto process = setup.start({"--set", "executors.search.threads=0"});
  const auto code = process->waitExit();
  REQUIRE(code.has_value());
  CHECK(*code == 78);
  CHECK(process->output().find("executors.search.threads") != std::string::npos);
}
