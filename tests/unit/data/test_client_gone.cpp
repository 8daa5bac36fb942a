// The data plugin's search routes hand the request's clientGone token (SDK 1.5) to the
// search: with a client already gone, /es/{index}/_search and /internal/search/{strategy}
// end in task_cancelled_exception instead of searching; with it there, they answer. The
// server side (a closed connection cancelling the token) is integration_async_search's.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "engine_fixture.hpp"
#include "es_routes.hpp"
#include "local_strategy.hpp"
#include "search_routes.hpp"
#include "search_service.hpp"
#include "tests/support/run_on_pool.hpp"

namespace {

using namespace orrery;
using namespace orrery::data;
using json = nlohmann::json;

// Keeps the handlers routes are registered with, by method and path.
class KeepingRouter final : public http::Router {
 public:
  void route(http::Method method, std::string_view path, http::Handler handler, http::RouteOptions) override {
    handlers[{method, std::string(path)}] = std::move(handler);
  }
  std::map<std::pair<http::Method, std::string>, http::Handler> handlers;
};

// The host's HTTP service as the routes see it, with a client that went away (or not).
class GoneHttp final : public http::HttpService {
 public:
  explicit GoneHttp(bool gone) {
    if (gone) source_.cancel();
  }
  http::Router& router() override { return router_; }
  http::Router& elasticsearchRouter() override { return esRouter_; }
  std::string elasticsearchMount() const override { return "/es"; }
  std::string serverUrl() const override { return "http://127.0.0.1:5601"; }
  void registerAuthenticator(std::shared_ptr<http::Authenticator>) override {}
  void disableAuthentication(std::string) override {}
  CancellationToken clientGone(const http::Request&) const override { return source_.token(); }

  KeepingRouter router_;
  KeepingRouter esRouter_;

 private:
  CancellationSource source_;
};

struct Routes {
  explicit Routes(bool gone) : http(gone) {
    f.create("logs", json{{"settings", {{"number_of_shards", 2}}}});
    f.load("logs", {json{{"n", 1}}, json{{"n", 2}}});
    auto engine = std::shared_ptr<Engine>(&f.engine, [](Engine*) {});
    search->registerStrategy("local", std::make_shared<LocalStrategy>(engine, executors));
    auto api = std::make_shared<EsApi>();
    api->engine = engine;
    api->search = search;
    api->executors = &executors;
    api->http = &http;
    registerEsRoutes(http.esRouter_, api);
    registerSearchRoutes(http, search, executors, 100);
  }
  ~Routes() { executors.drain(std::chrono::steady_clock::now() + std::chrono::seconds(20)); }

  http::Response call(http::Router& router, http::Method method, const std::string& pattern, http::Request request) {
    auto& handlers = static_cast<KeepingRouter&>(router).handlers;
    REQUIRE(handlers.count({method, pattern}) == 1);
    return orrery::test::runToEnd(handlers.at({method, pattern})(request));
  }

  orrery::data::test::EngineFixture f;
  executors::ExecutorPool pool{1, 2, nullptr};
  executors::PluginExecutors executors{pool, nullptr, nullptr};
  std::shared_ptr<SearchService> search = std::make_shared<SearchService>(executors, "local");
  GoneHttp http;
};

http::Request searchRequest(const std::string& index, std::string body) {
  http::Request request;
  request.method = http::Method::post;
  request.params["index"] = index;
  request.params["strategy"] = "local";
  request.body = std::move(body);
  return request;
}

}  // namespace

TEST_CASE("/es/{index}/_search: a client already gone cancels the search; one still there gets the answer") {
  for (const bool gone : {true, false}) {
    CAPTURE(gone);
    Routes routes(gone);
    const auto response = routes.call(routes.http.esRouter_, http::Method::post, "/{index}/_search",
                                      searchRequest("logs", R"({"query":{"match_all":{}}})"));
    const auto body = json::parse(response.body);
    if (gone) {
      CHECK(response.status == 400);
      CHECK(body["error"]["type"] == "task_cancelled_exception");
    } else {
      CHECK(response.status == 200);
      CHECK(body["hits"]["total"]["value"] == 2);
    }
  }
}

TEST_CASE("/internal/search/{strategy}: a client already gone cancels the search") {
  for (const bool gone : {true, false}) {
    CAPTURE(gone);
    Routes routes(gone);
    const auto response = routes.call(routes.http.router_, http::Method::post, "/internal/search/{strategy}",
                                      searchRequest("logs", R"({"params":{"index":"logs"}})"));
    CHECK(response.status == (gone ? 400 : 200));
    CHECK((response.body.find("task_cancelled_exception") != std::string::npos) == gone);
  }
}
