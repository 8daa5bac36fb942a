#include "core/http/server_options.hpp"

#include <stdexcept>

#include "orrery/config.hpp"

namespace orrery::server {

ServerOptions serverOptionsFrom(const orrery::PluginConfig& section) {
  ServerOptions options;
  options.host = section.getString("host");
  options.port = static_cast<std::uint16_t>(section.getInt("port"));
  options.maxBodyBytes = static_cast<std::size_t>(section.getBytes("maxBodySize"));
  options.maxHeaderBytes = static_cast<std::size_t>(section.getBytes("maxHeaderSize"));
  options.maxInFlightBodyBytes = static_cast<std::size_t>(section.getBytes("maxInFlightBodyBytes"));
  options.requestTimeout = section.getDuration("requestTimeout");
  options.idleTimeout = section.getDuration("keepAliveTimeout");
  options.maxConnections = static_cast<std::size_t>(section.getInt("maxConnections"));
  options.keepAlive = section.getBool("keepAlive");
  options.shutdownTimeout = section.getDuration("shutdownTimeout");
  options.elasticsearchMount = section.getString("elasticsearchMount");
  options.tls = section.getBool("ssl.enabled");
  if (section.has("ssl.certificate")) options.certificate = section.getString("ssl.certificate");
  if (section.has("ssl.key")) options.key = section.getString("ssl.key");

  const auto& mount = options.elasticsearchMount;
  if (mount.size() < 2 || mount.front() != '/' || mount.back() == '/' ||
      mount.find_first_of("?#% {}") != std::string::npos) {
    throw std::invalid_argument("server.elasticsearchMount: expected a path like /es, got '" + mount + "'");
  }
  for (const std::string_view taken : {"/api", "/internal", "/app"}) {
    if (mount == taken || mount.starts_with(std::string(taken) + "/")) {
      throw std::invalid_argument("server.elasticsearchMount: " + mount + " overlaps " + std::string(taken));
    }
  }
  if (options.tls && (options.certificate.empty() || options.key.empty())) {
    throw std::invalid_argument(std::string("server.ssl.") + (options.certificate.empty() ? "certificate" : "key") +
                                ": required when server.ssl.enabled is true");
  }
  return options;
}

}  // namespace orrery::server
