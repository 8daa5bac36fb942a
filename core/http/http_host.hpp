// The host's HTTP service: route tables for preboot and for the main surfaces, the
// authentication gate, the server, and the phase changes the host's stages drive:
//
//   listen() → servePreboot() → endPreboot() → serveMain() → stop()
//
// Plugins reach it through the http::HttpService that serviceFor() makes for each of
// them (their SetupContext / PrebootContext `http()`).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/http/auth_gate.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/http_server.hpp"
#include "orrery/http/service.hpp"

namespace orrery::server {

// Whether a plugin (by id, or "core") is running and may keep its routes.
using OwnerFilter = std::function<bool(const std::string& owner)>;

class HttpHost {
 public:
  HttpHost(boost::asio::io_context& io, ServerOptions options, orrery::Logger& log, orrery::Logger& accessLog);
  ~HttpHost();

  // The HttpService a plugin's contexts hand out; its routes and authenticator keep
  // `library` loaded. Preboot plugins' routes go to the preboot server.
  std::unique_ptr<orrery::http::HttpService> serviceFor(const std::string& pluginId, std::shared_ptr<void> library,
                                                        bool preboot);
  // The core's own routes on the main surface (owner "core").
  orrery::http::Router& coreRouter();
  // A plugin failed: its routes go, before the tables are sealed (RouteTable::withdraw).
  std::size_t withdrawRoutes(const std::string& pluginId);

  const ServerOptions& options() const { return options_; }
  const AuthGate& gate() const { return *gate_; }

  // Binds the listening socket; throws std::runtime_error naming the setting at fault.
  void listen();
  std::string url() const;
  std::uint16_t port() const;

  // Serves the preboot routes of running preboot plugins.
  void servePreboot(const OwnerFilter& running);
  // Preboot is over: new requests get 503 until serveMain(); returns once preboot's
  // requests in flight are done (connections stay open).
  void endPreboot();
  // Drops the routes (and authenticator) of plugins that are not running, then serves
  // the main surfaces.
  void serveMain(const OwnerFilter& running);
  // Graceful: stops accepting, lets requests in flight finish (server.shutdownTimeout).
  void stop();

 private:
  class PluginService;
  class OwnedRouter;

  void handOver(std::shared_ptr<const Dispatcher> next);

  ServerOptions options_;
  orrery::Logger& log_;
  std::shared_ptr<RouteSpace> prebootRoutes_;
  std::shared_ptr<RouteSpace> mainRoutes_;
  std::shared_ptr<AuthGate> gate_;
  std::unique_ptr<OwnedRouter> coreRouter_;
  std::unique_ptr<HttpServer> server_;
  bool serving_ = false;
};

}  // namespace orrery::server
