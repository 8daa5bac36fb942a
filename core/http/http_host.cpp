#include "core/http/http_host.hpp"

#include <stdexcept>

#include "core/http/client_gone.hpp"

namespace orrery::server {

// Adds routes to one table on behalf of one owner.
class HttpHost::OwnedRouter final : public orrery::http::Router {
 public:
  OwnedRouter(RouteTable& table, std::string owner, std::shared_ptr<void> library)
      : table_(table), owner_(std::move(owner)), library_(std::move(library)) {}

  void route(orrery::http::Method method, std::string_view path, orrery::http::Handler handler,
             orrery::http::RouteOptions options) override {
    Route route;
    route.method = method;
    route.pattern = std::string(path);
    route.handler = std::move(handler);
    route.options = options;
    route.owner = owner_;
    route.library = library_;
    table_.add(std::move(route));
  }

 private:
  RouteTable& table_;
  std::string owner_;
  std::shared_ptr<void> library_;
};

class HttpHost::PluginService final : public orrery::http::HttpService {
 public:
  PluginService(HttpHost& host, RouteSpace& routes, std::string owner, std::shared_ptr<void> library, bool preboot)
      : host_(host),
        owner_(owner),
        library_(library),
        preboot_(preboot),
        router_(routes.kibana, owner, library),
        elasticsearchRouter_(routes.elasticsearch, owner, library) {}

  orrery::http::Router& router() override { return router_; }
  orrery::http::Router& elasticsearchRouter() override { return elasticsearchRouter_; }
  std::string elasticsearchMount() const override { return host_.options_.elasticsearchMount; }
  std::string serverUrl() const override { return host_.url(); }
  CancellationToken clientGone(const orrery::http::Request& request) const override {
    return ClientGoneWatch::tokenFor(request);
  }

  void registerAuthenticator(std::shared_ptr<orrery::http::Authenticator> authenticator) override {
    refuseInPreboot();
    host_.gate_->setAuthenticator(std::move(authenticator), owner_, library_);
  }
  void disableAuthentication(std::string reason) override {
    refuseInPreboot();
    host_.gate_->disable(std::move(reason), owner_);
  }

 private:
  void refuseInPreboot() const {
    if (preboot_) {
      throw std::logic_error("plugin '" + owner_ +
                             "' is a preboot plugin: authentication belongs to a standard plugin (preboot routes run "
                             "before any security plugin)");
    }
  }

  HttpHost& host_;
  std::string owner_;
  std::shared_ptr<void> library_;
  bool preboot_;
  OwnedRouter router_;
  OwnedRouter elasticsearchRouter_;
};

HttpHost::HttpHost(boost::asio::io_context& io, ServerOptions options, orrery::Logger& log, orrery::Logger& accessLog)
    : options_(std::move(options)),
      log_(log),
      // The preboot page may live anywhere; main routes stay under their surfaces.
      prebootRoutes_(std::make_shared<RouteSpace>(std::vector<std::string>{}, options_.elasticsearchMount)),
      mainRoutes_(std::make_shared<RouteSpace>(std::vector<std::string>{"/", "/api", "/internal", "/app"},
                                               options_.elasticsearchMount)),
      gate_(std::make_shared<AuthGate>()),
      coreRouter_(std::make_unique<OwnedRouter>(mainRoutes_->kibana, "core", nullptr)),
      server_(std::make_unique<HttpServer>(io, options_, log, accessLog)) {}

HttpHost::~HttpHost() = default;

std::unique_ptr<orrery::http::HttpService> HttpHost::serviceFor(const std::string& pluginId,
                                                                std::shared_ptr<void> library, bool preboot) {
  return std::make_unique<PluginService>(*this, preboot ? *prebootRoutes_ : *mainRoutes_, pluginId,
                                         std::move(library), preboot);
}

orrery::http::Router& HttpHost::coreRouter() { return *coreRouter_; }

std::size_t HttpHost::withdrawRoutes(const std::string& pluginId) {
  std::size_t removed = 0;
  for (auto* space : {prebootRoutes_.get(), mainRoutes_.get()}) {
    removed += space->kibana.withdraw(pluginId) + space->elasticsearch.withdraw(pluginId);
  }
  return removed;
}

void HttpHost::listen() {
  server_->listen();
  log_.info("http server listening on " + server_->url(), {{"url", server_->url()}});
}

std::string HttpHost::url() const { return server_->url(); }

std::uint16_t HttpHost::port() const { return server_->port(); }

void HttpHost::handOver(std::shared_ptr<const Dispatcher> next) {
  const auto cut = server_->serve(std::move(next), std::chrono::steady_clock::now() + options_.shutdownTimeout);
  if (cut > 0) log_.warn("cut " + std::to_string(cut) + " connection(s) at the hand-over");
  serving_ = true;
}

void HttpHost::servePreboot(const OwnerFilter& running) {
  for (auto* table : {&prebootRoutes_->kibana, &prebootRoutes_->elasticsearch}) {
    for (const auto& dropped : table->seal(running)) log_.warn("not serving preboot route " + dropped + ": not running");
  }
  handOver(std::make_shared<Dispatcher>(Phase::preboot, prebootRoutes_, gate_, log_, options_.maxBodyBytes));
}

void HttpHost::endPreboot() {
  handOver(std::make_shared<Dispatcher>(Phase::starting, prebootRoutes_, gate_, log_, options_.maxBodyBytes));
}

void HttpHost::serveMain(const OwnerFilter& running) {
  const auto keep = [&running](const std::string& owner) { return owner == "core" || running(owner); };
  for (auto* table : {&mainRoutes_->kibana, &mainRoutes_->elasticsearch}) {
    for (const auto& dropped : table->seal(keep)) log_.warn("not serving route " + dropped + ": the plugin is not running");
  }
  gate_->seal(keep);
  switch (gate_->mode()) {
    case AuthGate::Mode::enabled:
      log_.info("authentication by plugin '" + gate_->owner() + "'");
      break;
    case AuthGate::Mode::disabled:
      log_.warn("security is disabled (" + gate_->disabledReason() +
                "): every request runs as the anonymous user, with no authentication");
      break;
    case AuthGate::Mode::unset:
      log_.error("no security plugin is running: routes that need authentication answer 503");
      break;
  }
  handOver(std::make_shared<Dispatcher>(Phase::serving, mainRoutes_, gate_, log_, options_.maxBodyBytes, prebootRoutes_));
  log_.info("serving " + std::to_string(mainRoutes_->kibana.size() + mainRoutes_->elasticsearch.size()) +
                " routes on " + server_->url(),
            {{"url", server_->url()}});
}

void HttpHost::stop() {
  if (!serving_) return;
  serving_ = false;
  const auto cut = server_->stop(std::chrono::steady_clock::now() + options_.shutdownTimeout);
  if (cut > 0) log_.warn("cut " + std::to_string(cut) + " connection(s) still busy at server.shutdownTimeout");
}

}  // namespace orrery::server
