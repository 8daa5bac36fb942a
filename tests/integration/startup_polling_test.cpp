// Start-up under a readiness probe: clients poll GET /api/status every millisecond, over
// new connections and over one keep-alive connection, from the moment the port listens.
// Every start must get through preboot, the hand-over and setup to ready, with neither
// poller ever refused or cut off, and stop on a single SIGTERM with exit 0 — whatever the
// phase the signal lands in. (The hand-over once stopped accepting and waited, without a
// deadline, for an accept loop that a well-timed accept could keep running forever: the
// host stayed in preboot and ignored SIGTERM.)
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <doctest/doctest.h>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "host_setup.hpp"
#include "http_client.hpp"

using harness::HostSetup;
using namespace std::chrono_literals;

namespace {

// Polls /api/status on its own thread until destroyed; counts answers by status and
// failures (a refused, reset or closed connection, or a response that never came).
class StatusPoller {
 public:
  StatusPoller(std::uint16_t port, bool keepAlive) : port_(port), keepAlive_(keepAlive) {
    thread_ = std::thread([this] { loop(); });
  }
  ~StatusPoller() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
    thread_.join();
    closeSocket();
  }

  // Waits until a response with `status` arrives after this call.
  bool waitForNew(int status, std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mutex_);
    const auto seen = counts_[status];
    return changed_.wait_for(lock, timeout, [&] { return counts_[status] > seen; });
  }
  std::size_t failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  std::size_t connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  std::string summary() const {
    std::lock_guard lock(mutex_);
    std::string out = keepAlive_ ? "keep-alive poller:" : "new-connection poller:";
    // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict, a false positive) on
    // `" " + std::to_string(...)`.
    for (const auto& [status, count] : counts_) out.append(" ").append(std::to_string(status)).append("x").append(std::to_string(count));
    out.append(", failures ").append(std::to_string(failures_)).append(" (").append(lastFailure_);
    out.append("), connections ").append(std::to_string(connections_));
    return out;
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      lock.unlock();
      std::string failure;
      const int status = pollOnce(failure);
      if (status == 0 || !keepAlive_) closeSocket();
      lock.lock();
      if (status == 0) {
        ++failures_;
        lastFailure_ = failure;
      } else {
        ++counts_[status];
      }
      changed_.notify_all();
      // The probe's period: one request a millisecond (ends at once when stopped).
      changed_.wait_for(lock, 1ms, [this] { return stopped_; });
    }
  }

  // One GET /api/status; its status, or 0 with `failure` set.
  int pollOnce(std::string& failure) {
    if (fd_ < 0 && !connect(failure)) return 0;
    const std::string request = std::string("GET /api/status HTTP/1.1\r\nHost: probe\r\n") +
                                (keepAlive_ ? "" : "Connection: close\r\n") + "\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      failure = std::string("send: ") + std::strerror(errno);
      return 0;
    }
    std::string received;
    std::size_t headEnd = std::string::npos;
    std::size_t length = 0;
    char buffer[16 * 1024];
    for (;;) {
      if (headEnd == std::string::npos) {
        headEnd = received.find("\r\n\r\n");
        if (headEnd != std::string::npos) {
          const auto at = lowercase(received.substr(0, headEnd)).find("content-length:");
          if (at == std::string::npos) {
            failure = "no Content-Length";
            return 0;
          }
          length = std::stoul(received.substr(at + 15));
        }
      }
      if (headEnd != std::string::npos && received.size() >= headEnd + 4 + length) break;
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        failure = n == 0 ? "closed before the response" : std::string("recv: ") + std::strerror(errno);
        return 0;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
    if (received.compare(0, 9, "HTTP/1.1 ") != 0) {
      failure = "not an HTTP response";
      return 0;
    }
    // The server may end a kept-alive connection (it says so); that is no failure.
    if (lowercase(received.substr(0, headEnd)).find("connection: close") != std::string::npos) closeSocket();
    return std::stoi(received.substr(9, 3));
  }

  bool connect(std::string& failure) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    // Bounds every send and recv: a server that never answers is a failure, not a hang.
    const timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      failure = std::string("connect: ") + std::strerror(errno);
      closeSocket();
      return false;
    }
    std::lock_guard lock(mutex_);
    ++connections_;
    return true;
  }

  void closeSocket() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  static std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  const std::uint16_t port_;
  const bool keepAlive_;
  int fd_ = -1;  // the poller thread's
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopped_ = false;
  std::map<int, std::size_t> counts_;
  std::size_t failures_ = 0;
  std::string lastFailure_;
  std::size_t connections_ = 0;
  std::thread thread_;
};

// A host as small as a preboot test allows — the preboot page fixture holds setup until
// told, and the bundled standard plugins stay out (they add start-up time, not phases) —
// with both probes polling from the moment its port listens, before anything is served.
struct PolledHost {
  PolledHost() {
    setup.addFixture("preboot_page");
    process = setup.start({"--set", "plugins.data.enabled=false", "--set", "plugins.task_manager.enabled=false",
                           "--set", "plugins.async_search.enabled=false",
                           "--set", "plugins.security.enabled=false"});
    REQUIRE_MESSAGE(process->waitForOutput("http server listening on"), process->output());
    port = harness::listeningPort(*process);
    fresh = std::make_unique<StatusPoller>(port, false);
    kept = std::make_unique<StatusPoller>(port, true);
  }
  std::string report() const { return fresh->summary() + "\n" + kept->summary() + "\n" + process->output(); }

  HostSetup setup;
  std::unique_ptr<harness::ChildProcess> process;
  std::uint16_t port = 0;
  std::unique_ptr<StatusPoller> fresh;  // new connections
  std::unique_ptr<StatusPoller> kept;   // one kept-alive connection
};

// Sends one SIGTERM and expects a clean exit well within the shutdown deadline.
void stopWithOneSignal(harness::ChildProcess& host, const std::string& context) {
  host.signal(SIGTERM);
  const auto code = host.waitExit(20s);
  REQUIRE_MESSAGE(code.has_value(), context << ": still running 20s after SIGTERM\n" << host.output());
  CHECK_MESSAGE(*code == 0, context << "\n" << host.output());
}

}  // namespace

TEST_CASE("50 starts under a probe polling /api/status every millisecond all reach ready and stop on one SIGTERM") {
  constexpr int kStarts = 50;
  for (int start = 0; start < kStarts; ++start) {
    CAPTURE(start);
    PolledHost host;
    auto& fresh = *host.fresh;
    auto& kept = *host.kept;
    // Preboot answers the probe: 503 with Retry-After.
    REQUIRE_MESSAGE(fresh.waitForNew(503), host.report());
    REQUIRE_MESSAGE(kept.waitForNew(503), host.report());
    harness::HttpClient client(host.port);
    REQUIRE_MESSAGE(client.send("POST", "/internal/preboot_page/done").status == 200, host.report());

    if (start % 5 == 4) {
      // The signal lands somewhere in the hand-over or setup: the stop is prompt all the same.
      stopWithOneSignal(*host.process, "SIGTERM right after preboot ended; " + fresh.summary() + "; " + kept.summary());
      continue;
    }
    REQUIRE_MESSAGE(host.process->waitForOutput("orrery ready in"), host.report());
    // The main server answers both probes: the new connections and the one kept alive
    // since preboot, which no phase change closed.
    REQUIRE_MESSAGE(fresh.waitForNew(200), host.report());
    REQUIRE_MESSAGE(kept.waitForNew(200), host.report());
    CHECK_MESSAGE(fresh.failures() == 0, host.report());
    CHECK_MESSAGE(kept.failures() == 0, host.report());
    CHECK_MESSAGE(kept.connections() == 1, host.report());
    // Stopped while the probes go on polling.
    stopWithOneSignal(*host.process, "SIGTERM once ready; " + fresh.summary() + "; " + kept.summary());
  }
}

TEST_CASE("SIGTERM in preboot under a polling probe stops the host with exit 0") {
  PolledHost host;
  REQUIRE_MESSAGE(host.process->waitForOutput("setup is on hold"), host.report());
  REQUIRE_MESSAGE(host.fresh->waitForNew(503), host.report());
  REQUIRE_MESSAGE(host.kept->waitForNew(503), host.report());
  stopWithOneSignal(*host.process, "SIGTERM in preboot");
  CHECK(host.process->count("orrery ready in") == 0);
}
