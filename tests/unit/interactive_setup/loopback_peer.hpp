// Loopback TCP peers for the connection check, each on a free port (port 0):
//   refusing   bound but not listening: connections are refused
//   silent     listening, never accepting: connections open, then nothing is said
//   answering  accepts one connection, records the request head and sends `response`
// The answering peer stands in for a cluster's `GET /` where no cluster runs in a unit
// test; the integration tests check against a real Orrery host's /es API.
#pragma once

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace orrery::test {

class LoopbackPeer {
 public:
  enum class Kind { refusing, silent, answering };

  explicit LoopbackPeer(Kind kind, std::string response = {}) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    if (kind != Kind::refusing) REQUIRE(::listen(fd_, 8) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    if (kind == Kind::answering) thread_ = std::thread([this] { answerOnce(); });
  }
  ~LoopbackPeer() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  LoopbackPeer(const LoopbackPeer&) = delete;
  LoopbackPeer& operator=(const LoopbackPeer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The request head the answering peer received (read after the check returned).
  const std::string& request() const { return request_; }

 private:
  void answerOnce() {
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    char buffer[4096];
    while (request_.find("\r\n\r\n") == std::string::npos) {
      const auto n = ::read(client, buffer, sizeof buffer);
      if (n <= 0) break;
      request_.append(buffer, static_cast<std::size_t>(n));
    }
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(response_.size()) + "\r\nConnection: close\r\n\r\n" + response_;
    [[maybe_unused]] const auto written = ::write(client, reply.data(), reply.size());
    ::close(client);
  }

  int fd_ = -1;
  int port_ = 0;
  std::string response_;
  std::string request_;
  std::thread thread_;
};

}  // namespace orrery::test
