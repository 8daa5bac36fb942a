// A small HTTP(S) client for integration tests, talking to the real orrery over loopback.
// Every operation has an upper bound on its time; nothing waits by sleeping.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "child_process.hpp"

namespace harness {

struct HttpResult {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Whether the server said it will close the connection.
  bool closing = false;

  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> headerValues(std::string_view name) const;
  nlohmann::json json() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One keep-alive connection to 127.0.0.1:port (reopened when the server closes it).
class HttpClient {
 public:
  // With `caFile`, speaks TLS and verifies the server against that CA.
  explicit HttpClient(std::uint16_t port, std::optional<std::filesystem::path> caFile = std::nullopt,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();

  HttpResult get(const std::string& target, const Headers& headers = {});
  HttpResult send(const std::string& method, const std::string& target, const std::string& body = {},
                  const Headers& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A raw TCP connection, for malformed, partial and held-open requests.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  void write(std::string_view bytes);
  // Reads until the server closes the connection; nullopt if it is still open at `timeout`.
  std::optional<std::string> readUntilClosed(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reads until `text` has arrived (or the connection closes / times out); returns all read.
  std::string readUntil(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Forgets what was read so far (before waiting for the next response).
  void forget();

 private:
  boost::system::error_code readSome(std::chrono::steady_clock::time_point deadline);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The port from orrery's "http server listening on http(s)://HOST:PORT" line.
std::uint16_t listeningPort(const ChildProcess& process);
// An "Authorization" header value for HTTP Basic.
std::string basicAuthorization(const std::string& user, const std::string& password);

}  // namespace harness
