// The HTTP server through the real binary over loopback: routing and parameters, both
// error shapes, request ids and the access log, limits (bodies, heads, malformed
// requests, slow requests, connection count), concurrency and graceful shutdown.
#include <atomic>
#include <csignal>
#include <doctest/doctest.h>
#include <thread>

#include "host_setup.hpp"
#include "http_client.hpp"

using harness::HostSetup;
using harness::HttpClient;
using harness::RawConnection;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A host with the http_routes fixture and security switched off (auth is security_test's).
struct RoutesHost {
  explicit RoutesHost(std::vector<std::string> extra = {}, const std::string& config = "") {
    setup.addFixture("http_routes");
    setup.writeConfig("security:\n  enabled: false\n" + config);
    process = setup.start(std::move(extra));
    REQUIRE_MESSAGE(process->waitForOutput("orrery ready in"), process->output());
    port = harness::listeningPort(*process);
  }
  ~RoutesHost() {
    process->signal(SIGTERM);
    process->waitExit();
  }
  HostSetup setup;
  std::unique_ptr<harness::ChildProcess> process;
  std::uint16_t port = 0;
};

void checkKibanaError(const harness::HttpResult& result, int status, const std::string& messagePart) {
  CHECK(result.status == status);
  CHECK(has(result.header("Content-Type").value_or(""), "application/json"));
  const auto body = result.json();
  CHECK(body["statusCode"] == status);
  CHECK(body["error"].is_string());
  CHECK(body.size() == 3);
  CHECK_MESSAGE(has(body["message"].get<std::string>(), messagePart), result.body);
}

void checkElasticsearchError(const harness::HttpResult& result, int status, const std::string& type,
                             const std::string& reasonPart) {
  CHECK(result.status == status);
  const auto body = result.json();
  CHECK(body["status"] == status);
  CHECK(body["error"]["type"] == type);
  CHECK_MESSAGE(has(body["error"]["reason"].get<std::string>(), reasonPart), result.body);
  REQUIRE(body["error"]["root_cause"].size() == 1);
  CHECK(body["error"]["root_cause"][0]["type"] == type);
  CHECK(body["error"]["root_cause"][0]["reason"] == body["error"]["reason"]);
}

}  // namespace

TEST_CASE("routes receive decoded path parameters, query parameters and headers") {
  RoutesHost host;
  HttpClient client(host.port);
  const auto item = client.get("/api/fixture/items/a%2Fb%20c?q=hello+world&size=5", {{"X-Test", "yes"}});
  REQUIRE(item.status == 200);
  const auto body = item.json();
  CHECK(body["id"] == "a/b c");
  CHECK(body["q"] == "hello world");
  CHECK(body["size"] == 5);
  CHECK(body["xTest"] == "yes");

  // A literal segment beats a parameter; two parameters in one path.
  CHECK(client.get("/api/fixture/items/_list").json()["route"] == "list");
  const auto part = client.get("/api/fixture/items/7/parts/wheel").json();
  CHECK(part["id"] == "7");
  CHECK(part["part"] == "wheel");
  // Blocking work through co_await executors.blocking(...).
  CHECK(client.get("/api/fixture/blocking").body == "42");
}

TEST_CASE("a bad query parameter or body field gets 400 naming it and the expected form") {
  RoutesHost host;
  HttpClient client(host.port);
  checkKibanaError(client.get("/api/fixture/items/x?size=abc"), 400, "[request query.size]: expected an integer");
  checkKibanaError(client.get("/api/fixture/items/x?size=1000"), 400, "between 1 and 100");
  checkKibanaError(client.send("POST", "/api/fixture/echo", R"({"name": 5})"), 400,
                   "[request body.name]: expected value of type [string] but got [number]");
  checkKibanaError(client.send("POST", "/api/fixture/echo", R"({"name": "x", "count": 11})"), 400,
                   "[request body.count]");
  checkKibanaError(client.send("POST", "/api/fixture/echo", R"({"name": "x", "colour": "red"})"), 400,
                   "[request body.colour]");
  checkKibanaError(client.send("POST", "/api/fixture/echo", R"({"name": )"), 400, "not valid JSON");
  checkKibanaError(client.send("POST", "/api/fixture/echo", "[1]"), 400, "expected value of type [object]");
  const auto ok = client.send("POST", "/api/fixture/echo", R"({"name": "x", "count": 3})");
  CHECK(ok.status == 201);
  CHECK(ok.json() == nlohmann::json{{"name", "x"}, {"count", 3}});
}

TEST_CASE("Kibana-style errors under /api: 404, 405 with Allow, a thrown HttpError, a 500 that hides details") {
  RoutesHost host;
  HttpClient client(host.port);
  checkKibanaError(client.get("/api/fixture/nothing"), 404, "Not Found");
  const auto wrongMethod = client.send("DELETE", "/api/fixture/hello");
  checkKibanaError(wrongMethod, 405, "DELETE");
  CHECK(wrongMethod.header("Allow") == "GET, HEAD");
  checkKibanaError(client.get("/api/fixture/conflict"), 409, "the fixture is in conflict");

  const auto crash = client.get("/api/fixture/crash", {{"X-Request-Id", "crash-1"}});
  checkKibanaError(crash, 500, "An internal server error occurred");
  CHECK(!has(crash.body, "secret"));
  // The operator sees the details, tied to the request.
  CHECK(host.process->waitForOutput("secret internal detail"));
  CHECK(has(host.process->output(), "requestId=crash-1"));
}

TEST_CASE("Elasticsearch-style errors under the mount, which is configurable") {
  SUBCASE("default mount /es") {
    RoutesHost host;
    HttpClient client(host.port);
    const auto ok = client.get("/es/logs-1/_fixture");
    CHECK(ok.status == 200);
    CHECK(ok.json()["index"] == "logs-1");
    checkElasticsearchError(client.get("/es/logs-1/_missing"), 404, "index_not_found_exception",
                            "no such index [logs-1]");
    checkElasticsearchError(client.get("/es/_nothing/here"), 400, "illegal_argument_exception",
                            "no handler found for uri [/es/_nothing/here] and method [GET]");
    checkElasticsearchError(client.send("POST", "/es/logs-1/_fixture"), 405, "method_not_allowed_exception",
                            "Incorrect HTTP method");
  }
  SUBCASE("server.elasticsearchMount moves it") {
    RoutesHost host({"--set", "server.elasticsearchMount=/search"});
    HttpClient client(host.port);
    CHECK(client.get("/search/logs-1/_fixture").json()["index"] == "logs-1");
    checkKibanaError(client.get("/es/logs-1/_fixture"), 404, "Not Found");
  }
}

TEST_CASE("every request gets a request id, echoed or generated, and one access-log line") {
  RoutesHost host;
  HttpClient client(host.port);
  CHECK(client.get("/api/fixture/hello", {{"X-Request-Id", "client-id-42"}}).header("X-Request-Id") == "client-id-42");
  const auto first = client.get("/api/fixture/hello").header("X-Request-Id").value_or("");
  const auto second = client.get("/api/fixture/hello").header("X-Request-Id").value_or("");
  CHECK(first.size() == 36);
  CHECK(first != second);
  // A header-injection attempt is not echoed.
  CHECK(client.get("/api/fixture/hello", {{"X-Request-Id", "bad id with spaces"}}).header("X-Request-Id") !=
        "bad id with spaces");

  REQUIRE(host.process->waitForOutput("requestId=" + second));
  const auto out = host.process->output();
  CHECK(has(out, "[http.access] GET /api/fixture/hello 200 bytes=17"));
  CHECK(has(out, "requestId=client-id-42"));
  CHECK(has(out, "user=anonymous"));
  CHECK(has(out, "remoteAddress=127.0.0.1"));
  CHECK(has(out, "durationMs="));
}

TEST_CASE("HEAD is answered by the GET route, with its length and no body") {
  RoutesHost host;
  HttpClient client(host.port);
  const auto head = client.send("HEAD", "/api/fixture/hello");
  CHECK(head.status == 200);
  CHECK(head.header("Content-Length") == "17");
  CHECK(head.body.empty());
  // The connection is still in step afterwards.
  CHECK(client.get("/api/fixture/hello").body == R"({"hello":"world"})");
}

TEST_CASE("oversized bodies get 413, by route limit and by server.maxBodySize, and the server goes on") {
  RoutesHost host({"--set", "server.maxBodySize=1kb"});
  HttpClient client(host.port);
  CHECK(client.send("PUT", "/api/fixture/small", std::string(16, 'x')).body == "16");
  checkKibanaError(client.send("PUT", "/api/fixture/small", std::string(17, 'x')), 413, "limit of 16 bytes");
  CHECK(client.send("PUT", "/api/fixture/size", std::string(1024, 'x')).body == "1024");
  checkKibanaError(client.send("PUT", "/api/fixture/size", std::string(1025, 'x')), 413, "limit of 1024 bytes");

  // Chunked bodies have no Content-Length: the limit applies while reading.
  RawConnection raw(host.port);
  raw.write("PUT /api/fixture/size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
            std::string(0x800, 'y') + "\r\n0\r\n\r\n");
  const auto answer = raw.readUntilClosed();
  REQUIRE(answer);
  CHECK(answer->starts_with("HTTP/1.1 413"));

  CHECK(client.get("/api/fixture/hello").status == 200);
}

TEST_CASE("malformed requests get 400 and a closed connection; other clients are unaffected") {
  RoutesHost host({"--set", "server.maxHeaderSize=2kb"});
  HttpClient bystander(host.port);
  CHECK(bystander.get("/api/fixture/hello").status == 200);

  for (const std::string bad : {"GARBAGE\r\n\r\n", "GET /api/fixture/hello FOO/1.1\r\n\r\n",
                                "GET /api/fixture/hello HTTP/1.1\r\nBad Header\r\n\r\n",
                                "GET /api/fixture/hello HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
                                "GET /api/fixture/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                                "GET relative/path HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    CAPTURE(bad);
    RawConnection raw(host.port);
    raw.write(bad);
    // Well-formed but unusable targets still get an answer; keep-alive ends with the
    // request line only for a malformed message.
    const auto answer = raw.readUntil("\r\n\r\n");
    CHECK(answer.starts_with("HTTP/1.1 400"));
  }
  RawConnection big(host.port);
  big.write("GET /api/fixture/hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'b') + "\r\n\r\n");
  const auto tooBig = big.readUntilClosed();
  REQUIRE(tooBig);
  CHECK(tooBig->starts_with("HTTP/1.1 431"));

  RawConnection garbage(host.port);
  garbage.write("GARBAGE\r\n\r\n");
  CHECK(garbage.readUntilClosed().has_value());  // closed by the server

  CHECK(bystander.get("/api/fixture/hello").status == 200);
}

TEST_CASE("a request that arrives too slowly is cut at server.requestTimeout") {
  RoutesHost host({"--set", "server.requestTimeout=300ms"});
  RawConnection slow(host.port);
  slow.write("GET /api/fixture/hello HTTP/1.1\r\nHost: x\r\n");  // the head never ends
  const auto closed = slow.readUntilClosed(std::chrono::seconds(20));
  REQUIRE_MESSAGE(closed.has_value(), "the server kept a half-sent request open");
  CHECK(closed->empty());
  CHECK(host.process->waitForOutput("the request did not arrive within 300ms"));
  HttpClient client(host.port);
  CHECK(client.get("/api/fixture/hello").status == 200);
}

TEST_CASE("beyond server.maxConnections new connections get 503 and are closed; open ones keep working") {
  RoutesHost host({"--set", "server.maxConnections=2"});
  const std::string request = "GET /api/fixture/hello HTTP/1.1\r\nHost: x\r\n\r\n";
  RawConnection first(host.port);
  RawConnection second(host.port);
  first.write(request);
  second.write(request);
  CHECK(has(first.readUntil("world"), "200 OK"));
  CHECK(has(second.readUntil("world"), "200 OK"));

  RawConnection third(host.port);
  const auto refused = third.readUntilClosed();
  REQUIRE(refused);
  CHECK(refused->starts_with("HTTP/1.1 503"));
  CHECK(has(*refused, "too many open connections"));
  CHECK(host.process->waitForOutput("server.maxConnections"));  // the log reader may lag the client

  first.forget();
  first.write(request);
  CHECK(has(first.readUntil("world"), "200 OK"));  // a second response on the same connection
}

TEST_CASE("concurrent clients are all served") {
  RoutesHost host;
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client(host.port);
      for (int i = 0; i < kRequests; ++i) {
        const auto target = i % 5 == 0 ? "/api/fixture/slow?ms=10" : "/api/fixture/items/" + std::to_string(c * 100 + i);
        const auto result = client.get(target);
        if (result.status == 200 && (i % 5 == 0 || result.json()["id"] == std::to_string(c * 100 + i))) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok.load() == kClients * kRequests);
}

TEST_CASE("graceful shutdown: an in-flight request finishes, then the host exits 0") {
  RoutesHost host;
  std::optional<harness::HttpResult> result;
  std::thread client([&] { result = HttpClient(host.port).get("/api/fixture/slow?ms=1500", {{"X-Request-Id", "inflight"}}); });
  REQUIRE(host.process->waitForOutput("slow request inflight started"));
  host.process->signal(SIGTERM);
  client.join();
  REQUIRE(result);
  CHECK(result->status == 200);
  CHECK(result->body == "slept 1500ms");
  CHECK(host.process->waitExit().value_or(-1) == 0);
  // The request finished before the plugins were stopped.
  const auto out = host.process->output();
  CHECK(host.process->find("GET /api/fixture/slow 200") < host.process->find("plugin http_routes: stop took"));
  CHECK(!has(out, "still busy"));
}

TEST_CASE("graceful shutdown gives up on a request at server.shutdownTimeout") {
  RoutesHost host({"--set", "server.shutdownTimeout=200ms"});
  bool failed = false;
  std::thread client([&] {
    try {
      HttpClient(host.port).get("/api/fixture/slow?ms=20000", {{"X-Request-Id", "stuck"}});
    } catch (const std::runtime_error&) {
      failed = true;  // the connection was cut
    }
  });
  REQUIRE(host.process->waitForOutput("slow request stuck started"));
  host.process->signal(SIGTERM);
  client.join();
  CHECK(failed);
  CHECK(host.process->waitExit().value_or(-1) == 0);
  CHECK(has(host.process->output(), "still busy at server.shutdownTimeout"));
}

TEST_CASE("idle kept-alive connections close at server.keepAliveTimeout; keepAlive false closes after each answer") {
  const std::string request = "GET /api/fixture/hello HTTP/1.1\r\nHost: x\r\n\r\n";
  SUBCASE("keepAliveTimeout") {
    RoutesHost host({"--set", "server.keepAliveTimeout=200ms"});
    RawConnection raw(host.port);
    raw.write(request);
    CHECK(has(raw.readUntil("world"), "200 OK"));
    // Nothing more is sent: the server closes the idle connection on its own.
    const auto closed = raw.readUntilClosed(std::chrono::seconds(20));
    REQUIRE_MESSAGE(closed.has_value(), "the idle connection stayed open");
  }
  SUBCASE("keepAlive false") {
    RoutesHost host({"--set", "server.keepAlive=false"});
    RawConnection raw(host.port);
    raw.write(request);
    const auto answer = raw.readUntilClosed(std::chrono::seconds(20));
    REQUIRE(answer.has_value());
    CHECK(has(*answer, "200 OK"));
    CHECK(has(*answer, "Connection: close"));
  }
}
