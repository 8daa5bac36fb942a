// What a request costs the host before it is let in, through the real binary: requests
// are judged on their head — authentication, the route's body limit, the budget of body
// bytes in flight — and a refused one is answered before its body is read, then its
// connection closed; the budget gives 429 with Retry-After and is given back when the
// handler is done; writes to the embedded engine answer Elasticsearch's indexing-pressure
// 429 past data.indexing_pressure.memory.limit.
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"

using harness::HttpClient;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr std::size_t kHundredMegabytes = 100 * 1024 * 1024;
constexpr std::size_t kPiece = 64 * 1024;

// A client that uploads a body piece by piece and stops as soon as the server answers —
// as curl does — so the bytes it got to send bound what the server read.
class Uploader {
 public:
  explicit Uploader(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    // A small send buffer: the kernel holds little of the body on the server's behalf.
    const int sendBuffer = 64 * 1024;
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof sendBuffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  }
  ~Uploader() { ::close(fd_); }

  // Sends `bytes` in full (a head, a chunk frame); false if the server closed first.
  bool sendAll(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      if (!waitWritable()) return false;
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Sends up to `total` body bytes (as is, or framed as chunks of kPiece), stopping when
  // a response arrives or the connection ends. Returns the body bytes sent.
  std::size_t sendBody(std::size_t total, bool chunked = false) {
    const std::string piece(kPiece, 'x');
    std::size_t sent = 0;
    while (sent < total && !answered_) {
      const std::size_t size = std::min(kPiece, total - sent);
      std::string frame = piece.substr(0, size);
      if (chunked) frame = hex(size) + "\r\n" + frame + "\r\n";
      if (!sendAll(frame)) break;
      sent += size;
    }
    return sent;
  }

  // The response (and whatever else) until the server closes; nullopt if it is still open
  // at the timeout. Ends sending first, so a lingering server sees the end at once.
  std::optional<std::string> readUntilClosed(std::chrono::milliseconds timeout = 30s) {
    ::shutdown(fd_, SHUT_WR);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[16 * 1024];
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return received_;  // closed (or reset after the response)
      received_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Reads until `text` has arrived; false at the timeout or when the connection ends.
  bool readUntil(const std::string& text, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!has(received_, text)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[16 * 1024];
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }

  const std::string& received() const { return received_; }
  bool answered() const { return answered_; }

 private:
  // Waits until the socket takes more bytes; false once the server has answered (or
  // closed), which the caller takes as "stop sending".
  bool waitWritable() {
    for (;;) {
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (::poll(&p, 1, 30'000) <= 0) return false;  // neither room nor an answer in 30s
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        answered_ = true;
        return false;
      }
      if (p.revents & POLLOUT) return true;
    }
  }
  static std::string hex(std::size_t n) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%zx", n);
    return buffer;
  }

  int fd_ = -1;
  bool answered_ = false;
  std::string received_;
};

std::string statusLine(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string bodyOf(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

int usersCommand(const harness::HostSetup& setup, const std::string& args, const std::string& password) {
  const auto file = setup.root() / "data" / "security" / "users.yml";
  const std::string command = "printf '%s\\n' '" + password + "' | " + harness::orreryBinary().string() + " users " +
                              args + " --file " + file.string() + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The bundled security plugin, one user, and the http_routes fixture (its upload route
// takes up to 128 MB from users only).
struct SecuredHost : harness::RunningHost {
  SecuredHost() {
    setup.addFixture("http_routes");
    REQUIRE(usersCommand(setup, "add alice --role superuser", "correct horse") == 0);
    start({"--set", "plugins.task_manager.enabled=false", "--set", "plugins.data.enabled=false", "--set",
           "plugins.async_search.enabled=false"});
  }
};

std::string uploadHead(std::size_t length, const std::string& extra = "") {
  return "PUT /api/fixture/upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n" +
         extra + "\r\n";
}

// A _bulk body of about `bytes` bytes: index actions of small documents.
std::string bulkBody(std::size_t bytes) {
  std::string body;
  for (int id = 0; body.size() < bytes; ++id) {
    body += R"({"index":{"_index":"big","_id":")" + std::to_string(id) + "\"}}\n";
    body += R"({"n":)" + std::to_string(id) + R"(,"text":"the quick brown fox jumps over the lazy dog"})" + "\n";
  }
  return body;
}

}  // namespace

TEST_CASE("an unauthenticated 100 MB body is answered 401 before it is sent, and the connection closes") {
  SecuredHost host;
  // No credentials, a wrong password for a known user, an unknown user: all refused on
  // the head, with the body (most of it) never sent.
  const std::vector<std::pair<std::string, std::string>> cases{
      {"no credentials", ""},
      {"known user, wrong password", "Authorization: " + harness::basicAuthorization("alice", "wrong horse") + "\r\n"},
      {"unknown user", "Authorization: " + harness::basicAuthorization("mallory", "x") + "\r\n"},
      {"no credentials, Expect: 100-continue", "Expect: 100-continue\r\n"},
  };
  for (const auto& [name, extra] : cases) {
    CAPTURE(name);
    Uploader client(host.port);
    REQUIRE(client.sendAll(uploadHead(kHundredMegabytes, extra)));
    const auto sent = client.sendBody(kHundredMegabytes);
    const auto response = client.readUntilClosed();
    REQUIRE_MESSAGE(response.has_value(), "the server kept the connection open after refusing the request");
    // Answered at once, never with 100 Continue first.
    CHECK_MESSAGE(statusLine(*response) == "HTTP/1.1 401 Unauthorized", *response);
    CHECK(has(*response, "WWW-Authenticate: Basic"));
    CHECK(has(*response, "Connection: close"));
    // What the client could send is what the kernel's buffers took on the server's behalf
    // (a few hundred kilobytes), not the body.
    CHECK_MESSAGE(sent < 8 * 1024 * 1024, "the client sent " << sent << " body bytes before the 401");
  }

  // Route limits from the head too: a Content-Length over the route's limit is 413 at once.
  Uploader tooLarge(host.port);
  REQUIRE(tooLarge.sendAll("PUT /api/fixture/small HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n"));
  const auto sent = tooLarge.sendBody(kHundredMegabytes);
  const auto response = tooLarge.readUntilClosed();
  REQUIRE(response.has_value());
  CHECK_MESSAGE(statusLine(*response) == "HTTP/1.1 413 Payload Too Large", *response);
  CHECK(sent < 8 * 1024 * 1024);

  // A known user with the right password still sends a large body (over server.maxBodySize,
  // within the route's own limit).
  HttpClient client(host.port);
  const auto upload = client.send("PUT", "/api/fixture/upload", std::string(20 * 1024 * 1024, 'u'),
                                  {{"Authorization", harness::basicAuthorization("alice", "correct horse")},
                                   {"Content-Type", "application/octet-stream"}});
  CHECK(upload.status == 200);
  CHECK(upload.body == "alice " + std::to_string(20 * 1024 * 1024));
}

TEST_CASE("server.maxInFlightBodyBytes: 429 with Retry-After past the budget, in each surface's shape; bytes come back") {
  harness::RunningHost host;
  host.setup.addFixture("http_routes");
  host.setup.writeConfig("security:\n  enabled: false\n");
  host.start({"--set", "server.maxInFlightBodyBytes=1mb", "--set", "server.maxBodySize=4mb", "--set",
              "plugins.task_manager.enabled=false", "--set", "plugins.data.enabled=false", "--set",
              "plugins.async_search.enabled=false"});
  constexpr std::size_t kHeld = 700 * 1024;

  // One upload holds 700 KB of the 1 MB: its head is in (the 100 Continue says so), its body not yet.
  Uploader holder(host.port);
  REQUIRE(holder.sendAll("PUT /api/fixture/size HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                         std::to_string(kHeld) + "\r\n\r\n"));
  REQUIRE_MESSAGE(holder.readUntil("HTTP/1.1 100 Continue\r\n\r\n"), holder.received());

  // Another 700 KB does not fit: 429 with Retry-After, before its body is read.
  HttpClient client(host.port);
  const auto refused = client.send("PUT", "/api/fixture/size", std::string(kHeld, 'y'));
  CHECK(refused.status == 429);
  CHECK(refused.header("Retry-After") == "1");
  CHECK(refused.json()["statusCode"] == 429);
  CHECK(refused.json()["error"] == "Too Many Requests");
  CHECK(has(refused.json()["message"].get<std::string>(), "server.maxInFlightBodyBytes"));
  // Under the Elasticsearch mount, Elasticsearch's shape.
  HttpClient esClient(host.port);
  const auto es = esClient.send("PUT", "/es/logs/_fixture_size", std::string(kHeld, 'e'));
  CHECK(es.status == 429);
  CHECK(es.header("Retry-After") == "1");
  CHECK(es.json()["status"] == 429);
  CHECK(es.json()["error"]["type"] == "es_rejected_execution_exception");
  // A chunked body is counted as it arrives: refused once it passes what is left.
  Uploader chunked(host.port);
  REQUIRE(chunked.sendAll("PUT /api/fixture/size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const auto chunkedSent = chunked.sendBody(4 * 1024 * 1024, true);
  const auto chunkedAnswer = chunked.readUntilClosed();
  REQUIRE(chunkedAnswer.has_value());
  CHECK_MESSAGE(statusLine(*chunkedAnswer) == "HTTP/1.1 429 Too Many Requests", *chunkedAnswer);
  CHECK(chunkedSent < 4 * 1024 * 1024);
  // A body larger than the whole budget could never fit: 413, naming the setting.
  Uploader never(host.port);
  REQUIRE(never.sendAll("PUT /api/fixture/size HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n"));
  never.sendBody(2 * 1024 * 1024);
  const auto neverAnswer = never.readUntilClosed();
  REQUIRE(neverAnswer.has_value());
  CHECK_MESSAGE(statusLine(*neverAnswer) == "HTTP/1.1 413 Payload Too Large", *neverAnswer);
  CHECK(has(bodyOf(*neverAnswer), "server.maxInFlightBodyBytes"));

  // The holder goes on and is served; once it is done, its bytes are back.
  REQUIRE(holder.sendAll(std::string(kHeld, 'h')));
  REQUIRE_MESSAGE(holder.readUntil("\r\n\r\n" + std::to_string(kHeld)), holder.received());
  // After the interim 100 Continue, the final answer.
  const std::string held = holder.received();
  CHECK(statusLine(held.substr(held.find("\r\n\r\n") + 4)) == "HTTP/1.1 200 OK");
  const auto accepted = client.send("PUT", "/api/fixture/size", std::string(kHeld, 'y'));
  CHECK(accepted.status == 200);
  CHECK(accepted.body == std::to_string(kHeld));

  // Many at once: each is served or refused with 429, never more; afterwards the whole
  // budget is free again.
  constexpr int kClients = 8;
  std::vector<int> statuses(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient each(host.port);
      const auto result = each.send("PUT", "/api/fixture/size", std::string(400 * 1024, 'c'));
      statuses[i] = result.status == 429 && result.header("Retry-After") ? 429 : result.status;
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int status : statuses) CHECK((status == 200 || status == 429));
  CHECK(client.send("PUT", "/api/fixture/size", std::string(1000 * 1024, 'w')).status == 200);
}

TEST_CASE("data.indexing_pressure.memory.limit: writes past it get Elasticsearch's 429, smaller ones go through") {
  harness::RunningHost host;
  host.setup.writeConfig("security:\n  enabled: false\n");
  host.start({"--set", "data.indexing_pressure.memory.limit=1kb", "--set", "plugins.task_manager.enabled=false", "--set",
              "plugins.async_search.enabled=false"});
  HttpClient client(host.port);
  const harness::Headers ndjson{{"Content-Type", "application/x-ndjson"}};

  const auto small = client.send("POST", "/es/_bulk", bulkBody(500), ndjson);
  REQUIRE_MESSAGE(small.status == 200, small.body);
  const auto large = bulkBody(2000);
  const auto refused = client.send("POST", "/es/_bulk", large, ndjson);
  CHECK(refused.status == 429);
  const auto error = refused.json()["error"];
  CHECK(error["type"] == "es_rejected_execution_exception");
  CHECK(error["reason"] == "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
                           "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=" +
                               std::to_string(large.size()) + ", max_coordinating_and_primary_bytes=1024]");
  CHECK(refused.json()["status"] == 429);
  // Single-document writes count too.
  const std::string document = R"({"text":")" + std::string(1500, 'a') + "\"}";
  CHECK(client.send("PUT", "/es/big/_doc/1", document, {{"Content-Type", "application/json"}}).status == 429);
  CHECK(client.send("PUT", "/es/big/_create/2", document, {{"Content-Type", "application/json"}}).status == 429);
  CHECK(client.send("POST", "/es/big/_doc", document, {{"Content-Type", "application/json"}}).status == 429);
  // (ids 0.. exist from the first bulk: a new id is created.)
  CHECK(client.send("PUT", "/es/big/_doc/short", R"({"text":"short"})", {{"Content-Type", "application/json"}}).status ==
        201);
}
