// The `server.*` settings: where the HTTP server listens and the limits it keeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace orrery {
class PluginConfig;
}

namespace orrery::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5601;
  bool tls = false;
  std::filesystem::path certificate;  // PEM chain, when tls
  std::filesystem::path key;          // PEM private key, when tls
  std::size_t maxBodyBytes = 1024 * 1024;
  std::size_t maxHeaderBytes = 16 * 1024;
  // Request body bytes all requests together may hold at once; past it, 429.
  std::size_t maxInFlightBodyBytes = std::size_t{512} * 1024 * 1024;
  // A request's head and body must arrive within this; a response must be written in it.
  std::chrono::milliseconds requestTimeout{30'000};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idleTimeout{60'000};
  std::size_t maxConnections = 1024;
  bool keepAlive = true;
  // How long stop waits for in-flight requests before closing their connections.
  std::chrono::milliseconds shutdownTimeout{30'000};
  std::string elasticsearchMount = "/es";
};

// From the validated `server` section. Throws std::invalid_argument naming the key when
// the combination is wrong (TLS without a certificate, a mount that is not a path, ...).
ServerOptions serverOptionsFrom(const orrery::PluginConfig& section);

}  // namespace orrery::server
