// A Router and HttpService that record what a plugin registers, so tests call the
// captured handlers directly (the real server is the core's business).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <orrery/http/service.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace orrery::security::test {

class RecordingRouter final : public http::Router {
 public:
  struct Route {
    http::Handler handler;
    http::RouteOptions options;
  };

  void route(http::Method method, std::string_view path, http::Handler handler, http::RouteOptions options) override {
    const auto [it, fresh] = routes.emplace(std::pair{method, std::string(path)}, Route{std::move(handler), options});
    if (!fresh) throw http::RouteError("route taken: " + std::string(path));
  }

  const Route& at(http::Method method, const std::string& path) const {
    const auto it = routes.find({method, path});
    if (it == routes.end()) throw std::out_of_range("no route " + std::string(http::toString(method)) + " " + path);
    return it->second;
  }

  std::map<std::pair<http::Method, std::string>, Route> routes;
};

class RecordingHttpService final : public http::HttpService {
 public:
  http::Router& router() override { return router_; }
  http::Router& elasticsearchRouter() override { return elasticsearchRouter_; }
  std::string elasticsearchMount() const override { return "/es"; }
  std::string serverUrl() const override { return "http://127.0.0.1:5601"; }
  void registerAuthenticator(std::shared_ptr<http::Authenticator> a) override {
    if (authenticator || disabledReason) throw std::logic_error("authentication configured twice");
    authenticator = std::move(a);
  }
  void disableAuthentication(std::string reason) override {
    if (authenticator || disabledReason) throw std::logic_error("authentication configured twice");
    disabledReason = std::move(reason);
  }

  RecordingRouter& routes() { return router_; }
  std::shared_ptr<http::Authenticator> authenticator;
  std::optional<std::string> disabledReason;

 private:
  RecordingRouter router_;
  RecordingRouter elasticsearchRouter_;
};

}  // namespace orrery::security::test
