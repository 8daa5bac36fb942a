// Loopback TCP peers standing in for a cluster's nodes in unit tests, each on a free port
// (port 0):
//   refusing   bound but not listening: connections are refused
//   silent     listening, never accepting: connections open, then nothing is said
//   answering  accepts connections one after another, records each request (head and
//              body) and answers each with `status` and `response`
//   keepAlive  like answering, but keeps each connection open for the next request, and
//              counts connections (to see that a client reuses them)
//   holding    accepts, records the request, then says nothing until the peer is destroyed
// They stand in where no cluster runs in a unit test; the integration tests talk to a
// real Orrery host's /es API.
#pragma once

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace orrery::test {

class LoopbackPeer {
 public:
  enum class Kind { refusing, silent, answering, keepAlive, holding };

  explicit LoopbackPeer(Kind kind, std::string response = {}, int status = 200)
      : kind_(kind), response_(std::move(response)), status_(status) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    if (kind != Kind::refusing) REQUIRE(::listen(fd_, 8) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    if (kind == Kind::answering || kind == Kind::keepAlive || kind == Kind::holding) thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackPeer() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    changed_.notify_all();
    ::shutdown(fd_, SHUT_RDWR);  // wakes a blocked accept()
    if (const int client = client_.load(); client >= 0) ::shutdown(client, SHUT_RDWR);  // and a blocked read()
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  LoopbackPeer(const LoopbackPeer&) = delete;
  LoopbackPeer& operator=(const LoopbackPeer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The last request received (head and body), read after the client returned.
  std::string request() const {
    std::lock_guard lock(mutex_);
    return requests_.empty() ? std::string() : requests_.back();
  }
  std::size_t connectionCount() const { return connections_.load(); }
  std::size_t requestCount() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  // Waits until a request has arrived (for the holding peer: the client is now waiting).
  bool waitForRequest(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return !requests_.empty(); });
  }

 private:
  void serve() {
    for (;;) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      client_ = client;
      for (;;) {
        std::string request = readRequest(client);
        if (request.empty()) break;  // the client closed a kept-alive connection
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(std::move(request));
        }
        changed_.notify_all();
        if (kind_ == Kind::holding) {
          std::unique_lock lock(mutex_);
          changed_.wait(lock, [this] { return closing_; });
          break;
        }
        // Appended piecewise: g++ 12 at -O3 warns (-Wrestrict) on chained operator+.
        std::string reply = "HTTP/1.1 ";
        reply.append(std::to_string(status_)).append(" Status\r\nContent-Type: application/json\r\nContent-Length: ");
        reply.append(std::to_string(response_.size()))
            .append(kind_ == Kind::keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
            .append(response_);
        [[maybe_unused]] const auto written = ::write(client, reply.data(), reply.size());
        if (kind_ != Kind::keepAlive) break;
      }
      client_ = -1;
      ::close(client);
      if (kind_ == Kind::holding) return;
    }
  }

  // The head, then as many body bytes as Content-Length says.
  static std::string readRequest(int client) {
    std::string request;
    char buffer[4096];
    std::size_t headEnd = std::string::npos;
    std::size_t wanted = 0;
    for (;;) {
      if (headEnd == std::string::npos && (headEnd = request.find("\r\n\r\n")) != std::string::npos) {
        headEnd += 4;
        const auto at = request.find("Content-Length: ");
        if (at != std::string::npos && at < headEnd) wanted = std::strtoul(request.c_str() + at + 16, nullptr, 10);
      }
      if (headEnd != std::string::npos && request.size() >= headEnd + wanted) return request;
      const auto n = ::read(client, buffer, sizeof buffer);
      if (n <= 0) return request;
      request.append(buffer, static_cast<std::size_t>(n));
    }
  }

  Kind kind_;
  int fd_ = -1;
  int port_ = 0;
  std::string response_;
  int status_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool closing_ = false;
  std::atomic<int> client_{-1};
  std::atomic<std::size_t> connections_{0};
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace orrery::test
