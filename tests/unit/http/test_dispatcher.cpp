// Dispatcher: error shapes per surface, 404/405/400, handler errors, phases (preboot
// fallback, starting), authentication, body limits and path parameters.
#include <doctest/doctest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/http/dispatcher.hpp"
#include "core/http/percent_decoding.hpp"
#include "http_test_support.hpp"

using orrery::Task;
using orrery::http::Auth;
using orrery::http::AuthResult;
using orrery::http::HttpError;
using orrery::http::Method;
using orrery::http::Request;
using orrery::http::Response;
using orrery::http::RouteOptions;
using orrery::server::AuthGate;
using orrery::server::Dispatcher;
using orrery::server::Phase;
using orrery::server::Route;
using orrery::server::RouteSpace;
using orrery::server::Surface;
using orrery::http_test::contains;
using orrery::http_test::FixedAuthenticator;
using orrery::http_test::headerValues;
using orrery::http_test::RecordingLogger;
using orrery::http_test::replying;
using orrery::http_test::run;

namespace {

constexpr std::size_t kDefaultBodyLimit = 4096;

// One host's routes, gate and logger; builds a Dispatcher for a phase and sends requests.
struct Host {
  RecordingLogger log;
  std::shared_ptr<RouteSpace> routes =
      std::make_shared<RouteSpace>(std::vector<std::string>{"/api", "/internal", "/app"}, "/es");
  std::shared_ptr<AuthGate> gate = std::make_shared<AuthGate>();

  void add(Method method, std::string pattern, orrery::http::Handler handler, RouteOptions options = {},
           bool elasticsearch = false, std::string owner = "plugin-a") {
    Route route;
    route.method = method;
    route.pattern = std::move(pattern);
    route.handler = std::move(handler);
    route.options = options;
    route.owner = std::move(owner);
    (elasticsearch ? routes->elasticsearch : routes->kibana).add(std::move(route));
  }

  Dispatcher dispatcher(Phase phase) { return Dispatcher(phase, routes, gate, log, kDefaultBodyLimit); }
};

Request makeRequest(Method method, std::string target) {
  Request request;
  request.method = method;
  request.methodName = std::string(orrery::http::toString(method));
  request.target = std::move(target);
  request.requestId = "req-1";
  return request;
}

Response send(const Dispatcher& dispatcher, Request& request) {
  auto prepared = dispatcher.prepare(request);
  return run(dispatcher.respond(request, std::move(prepared)));
}

Response send(const Dispatcher& dispatcher, Method method, std::string target) {
  auto request = makeRequest(method, std::move(target));
  return send(dispatcher, request);
}

nlohmann::json body(const Response& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  REQUIRE_MESSAGE(!parsed.is_discarded(), "not JSON: " << response.body);
  return parsed;
}

std::string header(const Response& response, std::string_view name) {
  return std::string(response.headers.get(name).value_or("<absent>"));
}

void checkKibanaError(const Response& response, int status, const std::string& error) {
  CHECK(response.status == status);
  CHECK(header(response, "Content-Type") == "application/json; charset=utf-8");
  auto json = body(response);
  CHECK(json.size() == 3);
  CHECK(json["statusCode"] == status);
  CHECK(json["error"] == error);
  CHECK(json["message"].is_string());
}

void checkElasticsearchError(const Response& response, int status, const std::string& type) {
  CHECK(response.status == status);
  CHECK(header(response, "Content-Type") == "application/json; charset=utf-8");
  auto json = body(response);
  CHECK(json.size() == 2);
  CHECK(json["status"] == status);
  CHECK(json["error"]["type"] == type);
  CHECK(json["error"]["reason"].is_string());
  REQUIRE(json["error"]["root_cause"].size() == 1);
  CHECK(json["error"]["root_cause"][0]["type"] == type);
  CHECK(json["error"]["root_cause"][0]["reason"] == json["error"]["reason"]);
}

// A handler that records that it ran and which user it saw.
struct Probe {
  int calls = 0;
  std::string user;
  orrery::http::Handler handler() {
    return [this](Request& request) -> Task<Response> {
      ++calls;
      user = request.user.username;
      co_return Response::text(200, "ok");
    };
  }
};

std::string nextOf(const Response& response) {
  const auto location = header(response, "Location");
  REQUIRE_MESSAGE(location.rfind("/?next=", 0) == 0, "Location is " << location);
  std::string error;
  auto parsed = orrery::server::parseTarget(location, error);
  REQUIRE_MESSAGE(parsed.has_value(), error);
  REQUIRE(parsed->query.size() == 1);
  CHECK(parsed->query[0].first == "next");
  return parsed->query[0].second;
}

}  // namespace

TEST_CASE("a route's handler answers; the request gets path, query and params") {
  Host host;
  host.gate->disable("tests", "security");
  std::map<std::string, std::string, std::less<>> seenParams;
  std::string seenPath;
  std::vector<std::pair<std::string, std::string>> seenQuery;
  host.add(Method::get, "/api/reports/{id}/files/{name}", [&](Request& request) -> Task<Response> {
    seenParams = request.params;
    seenPath = request.path;
    seenQuery = request.query;
    co_return Response::text(200, request.param("id"));
  });
  const auto dispatcher = host.dispatcher(Phase::serving);
  const auto response = send(dispatcher, Method::get, "/api/reports/a%2Fb/files/x%20y?q=1+2");
  CHECK(response.status == 200);
  CHECK(response.body == "a/b");
  CHECK(seenParams.size() == 2);
  CHECK(seenParams["id"] == "a/b");
  CHECK(seenParams["name"] == "x y");
  CHECK(seenPath == "/api/reports/a/b/files/x y");
  REQUIRE(seenQuery.size() == 1);
  CHECK(seenQuery[0] == std::pair<std::string, std::string>{"q", "1 2"});
}

TEST_CASE("prepare() fills params before the body is read") {
  Host host;
  host.add(Method::get, "/api/r/{id}", replying(""));
  const auto dispatcher = host.dispatcher(Phase::serving);
  auto request = makeRequest(Method::get, "/api/r/7");
  const auto prepared = dispatcher.prepare(request);
  CHECK_FALSE(prepared.early.has_value());
  CHECK(request.params.at("id") == "7");
}

TEST_CASE("the body limit is the route's maxBodyBytes, else the server's") {
  Host host;
  host.add(Method::post, "/api/small", replying(""), RouteOptions{Auth::none, 10});
  host.add(Method::post, "/api/default", replying(""), RouteOptions{Auth::none, 0});
  host.add(Method::post, "/big", replying(""), RouteOptions{Auth::none, 1 << 20}, true);
  const auto dispatcher = host.dispatcher(Phase::serving);

  auto small = makeRequest(Method::post, "/api/small");
  CHECK(dispatcher.prepare(small).bodyLimit == 10);
  auto fallback = makeRequest(Method::post, "/api/default");
  CHECK(dispatcher.prepare(fallback).bodyLimit == kDefaultBodyLimit);
  auto big = makeRequest(Method::post, "/es/big");
  CHECK(dispatcher.prepare(big).bodyLimit == (1u << 20));
}

TEST_CASE("the surface is chosen by the mount") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::serving);
  CHECK(dispatcher.surfaceOf("/es") == Surface::elasticsearch);
  CHECK(dispatcher.surfaceOf("/es/_search") == Surface::elasticsearch);
  CHECK(dispatcher.surfaceOf("/esx") == Surface::kibana);
  CHECK(dispatcher.surfaceOf("/api/es") == Surface::kibana);
  CHECK(dispatcher.surfaceOf("/") == Surface::kibana);
}

TEST_CASE("elasticsearch routes are relative to the mount, the mount itself is '/'") {
  Host host;
  host.gate->disable("tests", "security");
  host.add(Method::get, "/", replying("root"), {}, true);
  host.add(Method::get, "/{index}/_search", replying("search"), {}, true);
  const auto dispatcher = host.dispatcher(Phase::serving);
  CHECK(send(dispatcher, Method::get, "/es").body == "root");
  CHECK(send(dispatcher, Method::get, "/es/logs/_search").body == "search");
  // Kibana routes do not see the mount and the mount does not see Kibana paths.
  checkKibanaError(send(dispatcher, Method::get, "/logs/_search"), 404, "Not Found");
}

TEST_CASE("Kibana surface: unknown path is 404 in the Kibana shape") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::serving);
  const auto response = send(dispatcher, Method::get, "/api/nothing");
  checkKibanaError(response, 404, "Not Found");
  CHECK(response.body == R"({"statusCode":404,"error":"Not Found","message":"Not Found"})");
}

TEST_CASE("Elasticsearch surface: unknown endpoint is 400 'no handler found'") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::serving);
  const auto response = send(dispatcher, Method::get, "/es/nothing/here?pretty");
  checkElasticsearchError(response, 400, "illegal_argument_exception");
  CHECK(body(response)["error"]["reason"] == "no handler found for uri [/es/nothing/here?pretty] and method [GET]");
}

TEST_CASE("an unknown method is named as sent") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::serving);
  auto request = makeRequest(Method::other, "/es/x");
  request.methodName = "PROPFIND";
  const auto response = send(dispatcher, request);
  CHECK(contains(body(response)["error"]["reason"].get<std::string>(), "method [PROPFIND]"));
}

TEST_CASE("405 with Allow, in the shape of the surface") {
  Host host;
  host.add(Method::get, "/api/x", replying(""));
  host.add(Method::put, "/api/x", replying(""));
  host.add(Method::get, "/{index}", replying(""), {}, true);
  const auto dispatcher = host.dispatcher(Phase::serving);

  SUBCASE("Kibana") {
    const auto response = send(dispatcher, Method::post, "/api/x");
    checkKibanaError(response, 405, "Method Not Allowed");
    CHECK(header(response, "Allow") == "GET, HEAD, PUT");
    CHECK(contains(body(response)["message"].get<std::string>(), "POST"));
  }
  SUBCASE("Elasticsearch") {
    const auto response = send(dispatcher, Method::del, "/es/logs");
    checkElasticsearchError(response, 405, "method_not_allowed_exception");
    CHECK(header(response, "Allow") == "GET, HEAD");
    CHECK(body(response)["error"]["reason"] ==
          "Incorrect HTTP method for uri [/es/logs] and method [DELETE], allowed: [GET, HEAD]");
  }
}

TEST_CASE("a bad target or path encoding is 400 in the surface's shape") {
  Host host;
  host.add(Method::get, "/api/r/{id}", replying(""));
  const auto dispatcher = host.dispatcher(Phase::serving);
  checkKibanaError(send(dispatcher, Method::get, "/api/r/%zz"), 400, "Bad Request");
  checkKibanaError(send(dispatcher, Method::get, "/api/r/x?a=%4"), 400, "Bad Request");
  checkKibanaError(send(dispatcher, Method::get, "not-a-path"), 400, "Bad Request");
  checkElasticsearchError(send(dispatcher, Method::get, "/es/%zz"), 400, "illegal_argument_exception");
}

TEST_CASE("a thrown HttpError keeps its status, type and headers") {
  Host host;
  host.gate->disable("tests", "security");
  const auto thrower = [](Request&) -> Task<Response> {
    HttpError error(409, "version conflict on [doc 1]", "resource_already_exists_exception");
    error.headers().set("Retry-After", "7");
    error.headers().add("X-Extra", "a");
    error.headers().add("X-Extra", "b");
    throw error;
    co_return Response::text(200, "unreachable");
  };
  host.add(Method::get, "/api/conflict", thrower);
  host.add(Method::get, "/conflict", thrower, {}, true);
  const auto dispatcher = host.dispatcher(Phase::serving);

  SUBCASE("Kibana shape") {
    const auto response = send(dispatcher, Method::get, "/api/conflict");
    checkKibanaError(response, 409, "Conflict");
    CHECK(body(response)["message"] == "version conflict on [doc 1]");
    CHECK(header(response, "Retry-After") == "7");
    CHECK(headerValues(response.headers, "X-Extra") == std::vector<std::string>{"a", "b"});
  }
  SUBCASE("Elasticsearch shape") {
    const auto response = send(dispatcher, Method::get, "/es/conflict");
    checkElasticsearchError(response, 409, "resource_already_exists_exception");
    CHECK(body(response)["error"]["reason"] == "version conflict on [doc 1]");
    CHECK(header(response, "Retry-After") == "7");
    CHECK(headerValues(response.headers, "X-Extra") == std::vector<std::string>{"a", "b"});
  }
  CHECK(host.log.records.empty());
}

TEST_CASE("an HttpError without a type gets the default type of its status") {
  Host host;
  host.gate->disable("tests", "security");
  host.add(Method::get, "/missing", [](Request&) -> Task<Response> {
    throw HttpError(404, "no such index [x]");
    co_return Response::text(200, "unreachable");
  }, {}, true);
  const auto dispatcher = host.dispatcher(Phase::serving);
  const auto response = send(dispatcher, Method::get, "/es/missing");
  checkElasticsearchError(response, 404, "resource_not_found_exception");
}

TEST_CASE("any other exception is a 500 without its text, logged with the request id") {
  Host host;
  host.gate->disable("tests", "security");
  host.add(Method::get, "/api/boom", [](Request&) -> Task<Response> {
    throw std::runtime_error("secret database password xyzzy");
    co_return Response::text(200, "unreachable");
  });
  host.add(Method::get, "/boom", [](Request&) -> Task<Response> {
    throw std::runtime_error("secret database password xyzzy");
    co_return Response::text(200, "unreachable");
  }, {}, true);
  const auto dispatcher = host.dispatcher(Phase::serving);

  SUBCASE("Kibana") {
    const auto response = send(dispatcher, Method::get, "/api/boom");
    checkKibanaError(response, 500, "Internal Server Error");
    CHECK_FALSE(contains(response.body, "xyzzy"));
  }
  SUBCASE("Elasticsearch") {
    const auto response = send(dispatcher, Method::get, "/es/boom");
    checkElasticsearchError(response, 500, "exception");
    CHECK_FALSE(contains(response.body, "xyzzy"));
  }
  REQUIRE(host.log.records.size() == 1);
  const auto& record = host.log.records[0];
  CHECK(record.level == orrery::LogLevel::error);
  CHECK(contains(record.message, "xyzzy"));
  CHECK(contains(record.message, "'plugin-a'"));
  CHECK(std::find(record.fields.begin(), record.fields.end(), std::pair<std::string, std::string>{"requestId", "req-1"}) !=
        record.fields.end());
}

TEST_CASE("a non-standard exception is a logged 500 too") {
  Host host;
  host.gate->disable("tests", "security");
  host.add(Method::get, "/api/boom", [](Request&) -> Task<Response> {
    throw 42;
    co_return Response::text(200, "unreachable");
  });
  const auto dispatcher = host.dispatcher(Phase::serving);
  checkKibanaError(send(dispatcher, Method::get, "/api/boom"), 500, "Internal Server Error");
  CHECK(host.log.has(orrery::LogLevel::error, "non-standard exception"));
}

TEST_CASE("serving: the route's auth requirement goes through the gate") {
  Host host;
  Probe probe;
  host.add(Method::get, "/api/private", probe.handler());
  host.add(Method::get, "/api/public", probe.handler(), RouteOptions{Auth::none, 0});
  host.add(Method::get, "/private", probe.handler(), {}, true);

  SUBCASE("authenticated user reaches the handler") {
    host.gate->setAuthenticator(std::make_shared<FixedAuthenticator>(AuthResult::success(orrery::http_test::user("alice"))),
                                "security", nullptr);
    const auto dispatcher = host.dispatcher(Phase::serving);
    CHECK(send(dispatcher, Method::get, "/api/private").status == 200);
    CHECK(probe.user == "alice");
  }
  SUBCASE("no credentials: 401 with the challenges, handler not run") {
    host.gate->setAuthenticator(std::make_shared<FixedAuthenticator>(AuthResult::none(),
                                                                     std::vector<std::string>{"Basic realm=\"x\"", "ApiKey"}),
                                "security", nullptr);
    const auto dispatcher = host.dispatcher(Phase::serving);
    const auto kibana = send(dispatcher, Method::get, "/api/private");
    checkKibanaError(kibana, 401, "Unauthorized");
    CHECK(headerValues(kibana.headers, "WWW-Authenticate") == std::vector<std::string>{"Basic realm=\"x\"", "ApiKey"});
    const auto es = send(dispatcher, Method::get, "/es/private");
    checkElasticsearchError(es, 401, "security_exception");
    CHECK(headerValues(es.headers, "WWW-Authenticate").size() == 2);
    CHECK(probe.calls == 0);
    CHECK(send(dispatcher, Method::get, "/api/public").status == 200);
    CHECK(probe.user == "anonymous");
  }
  SUBCASE("no security plugin: 503") {
    const auto dispatcher = host.dispatcher(Phase::serving);
    checkKibanaError(send(dispatcher, Method::get, "/api/private"), 503, "Service Unavailable");
    CHECK(probe.calls == 0);
  }
}

TEST_CASE("admit() decides on the head alone: a refused request is early, and respond() does not authenticate again") {
  Host host;
  Probe probe;
  host.add(Method::post, "/api/upload", probe.handler(), RouteOptions{Auth::required, 0});
  auto authenticator = std::make_shared<FixedAuthenticator>(AuthResult::failure("wrong password"),
                                                            std::vector<std::string>{"Basic realm=\"x\""});
  host.gate->setAuthenticator(authenticator, "security", nullptr);
  const auto dispatcher = host.dispatcher(Phase::serving);

  auto request = makeRequest(Method::post, "/api/upload");
  auto prepared = run(dispatcher.admit(request, dispatcher.prepare(request)));
  // No body was given: the decision needs none.
  REQUIRE(prepared.early.has_value());
  CHECK(prepared.admitted);
  checkKibanaError(*prepared.early, 401, "Unauthorized");
  CHECK(headerValues(prepared.early->headers, "WWW-Authenticate") == std::vector<std::string>{"Basic realm=\"x\""});
  CHECK(authenticator->calls == 1);
  CHECK(run(dispatcher.respond(request, std::move(prepared))).status == 401);
  CHECK(authenticator->calls == 1);
  CHECK(probe.calls == 0);
}

TEST_CASE("admit() lets an authenticated request through to respond(), which runs the handler only") {
  Host host;
  Probe probe;
  host.add(Method::post, "/api/upload", probe.handler(), RouteOptions{Auth::required, 0});
  auto authenticator =
      std::make_shared<FixedAuthenticator>(AuthResult::success(orrery::http_test::user("alice")));
  host.gate->setAuthenticator(authenticator, "security", nullptr);
  const auto dispatcher = host.dispatcher(Phase::serving);
  auto request = makeRequest(Method::post, "/api/upload");
  auto prepared = run(dispatcher.admit(request, dispatcher.prepare(request)));
  CHECK_FALSE(prepared.early.has_value());
  CHECK(request.user.username == "alice");
  request.body = "the body, read after admission";
  CHECK(run(dispatcher.respond(request, std::move(prepared))).status == 200);
  CHECK(probe.user == "alice");
  CHECK(authenticator->calls == 1);
}

TEST_CASE("preboot: preboot routes run without the authenticator") {
  Host host;
  auto authenticator = std::make_shared<FixedAuthenticator>(AuthResult::failure("bad"));
  host.gate->setAuthenticator(authenticator, "security", nullptr);
  Probe probe;
  host.add(Method::get, "/api/setup/status", probe.handler(), RouteOptions{Auth::required, 0});
  const auto dispatcher = host.dispatcher(Phase::preboot);
  const auto response = send(dispatcher, Method::get, "/api/setup/status");
  CHECK(response.status == 200);
  CHECK(probe.calls == 1);
  CHECK(probe.user == "anonymous");
  CHECK(authenticator->calls == 0);
}

TEST_CASE("preboot: other API paths answer 503 with Retry-After") {
  Host host;
  host.add(Method::get, "/api/setup", replying(""));
  const auto dispatcher = host.dispatcher(Phase::preboot);

  SUBCASE("/api") {
    const auto response = send(dispatcher, Method::get, "/api/status");
    checkKibanaError(response, 503, "Service Unavailable");
    CHECK(header(response, "Retry-After") != "<absent>");
  }
  SUBCASE("/api itself") {
    CHECK(send(dispatcher, Method::get, "/api").status == 503);
  }
  SUBCASE("/internal") {
    const auto response = send(dispatcher, Method::post, "/internal/security/login");
    checkKibanaError(response, 503, "Service Unavailable");
    CHECK(header(response, "Retry-After") != "<absent>");
  }
  SUBCASE("a preboot route under another method") {
    const auto response = send(dispatcher, Method::post, "/api/setup");
    checkKibanaError(response, 503, "Service Unavailable");
    CHECK(header(response, "Retry-After") != "<absent>");
  }
  SUBCASE("the Elasticsearch mount") {
    const auto response = send(dispatcher, Method::get, "/es/logs/_search");
    checkElasticsearchError(response, 503, "status_exception");
    CHECK(header(response, "Retry-After") != "<absent>");
    CHECK(send(dispatcher, Method::get, "/es").status == 503);
  }
}

TEST_CASE("preboot: '/' without a page answers 503 HTML") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::preboot);
  const auto response = send(dispatcher, Method::get, "/");
  CHECK(response.status == 503);
  CHECK(header(response, "Content-Type") == "text/html; charset=utf-8");
  CHECK(header(response, "Retry-After") != "<absent>");
  CHECK_FALSE(response.headers.has("Location"));
}

TEST_CASE("preboot: other paths redirect to the setup page with ?next=") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::preboot);

  SUBCASE("path only") {
    const auto response = send(dispatcher, Method::get, "/app/home");
    CHECK(response.status == 302);
    CHECK(nextOf(response) == "/app/home");
  }
  SUBCASE("path and query, encoded so that the query stays in next") {
    const auto target = "/app/discover?q=a%20b&x=1+2";
    const auto response = send(dispatcher, Method::get, target);
    CHECK(response.status == 302);
    const auto location = header(response, "Location");
    CHECK_FALSE(contains(location.substr(1), "&"));
    CHECK_FALSE(contains(location, "#"));
    CHECK(nextOf(response) == target);
  }
  SUBCASE("not /api-like prefixes") {
    CHECK(send(dispatcher, Method::get, "/apix").status == 302);
    CHECK(send(dispatcher, Method::get, "/internalize").status == 302);
  }
}

TEST_CASE("preboot: the redirect stays on this site for an absolute-form target") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::preboot);
  const auto response = send(dispatcher, Method::get, "http://evil.example/app/home");
  CHECK(response.status == 302);
  const auto location = header(response, "Location");
  CHECK(location.rfind("/?", 0) == 0);
  CHECK_FALSE(contains(location, "evil.example"));
  const auto next = nextOf(response);
  CHECK(next.rfind("/", 0) == 0);
  CHECK(next.rfind("//", 0) != 0);
  CHECK_FALSE(contains(next, "evil.example"));
  CHECK(next == "/app/home");
}

// Regression (was a bug): dispatcher.hpp promises "?next= carrying the original path
// and query", but for an absolute-form target prebootFallback (dispatcher.cpp) falls back
// to request.path and drops the query.
TEST_CASE("preboot: an absolute-form target keeps its query in ?next=") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::preboot);
  const auto response = send(dispatcher, Method::get, "https://evil.example/app/home?tab=2");
  CHECK(response.status == 302);
  CHECK(nextOf(response) == "/app/home?tab=2");
}

// Regression (was a bug): a next value starting with "//" is a protocol-relative URL,
// so a page that sends the user on to ?next= would leave the site (open redirect).
// prebootFallback passes an origin-form target "//evil.example/app" through unchanged.
TEST_CASE("preboot: ?next= is never a protocol-relative (off-site) URL") {
  Host host;
  const auto dispatcher = host.dispatcher(Phase::preboot);
  for (const std::string target : {"//evil.example/app", "http://evil.example//evil2.example/x", "/%2Fevil.example/x"}) {
    CAPTURE(target);
    const auto response = send(dispatcher, Method::get, target);
    CHECK(response.status == 302);
    const auto next = nextOf(response);
    CHECK(next.rfind("/", 0) == 0);
    CHECK(next.rfind("//", 0) != 0);
    CHECK(next.rfind("/\\", 0) != 0);
  }
}

TEST_CASE("starting: everything answers 503, even routes that exist") {
  Host host;
  Probe probe;
  host.add(Method::get, "/api/setup", probe.handler(), RouteOptions{Auth::none, 0});
  host.add(Method::get, "/", probe.handler(), RouteOptions{Auth::none, 0}, true);
  const auto dispatcher = host.dispatcher(Phase::starting);

  const auto api = send(dispatcher, Method::get, "/api/setup");
  checkKibanaError(api, 503, "Service Unavailable");
  CHECK(header(api, "Retry-After") != "<absent>");
  checkKibanaError(send(dispatcher, Method::get, "/internal/x"), 503, "Service Unavailable");
  const auto es = send(dispatcher, Method::get, "/es");
  checkElasticsearchError(es, 503, "status_exception");
  CHECK(header(es, "Retry-After") != "<absent>");
  for (const std::string path : {"/", "/app/home"}) {
    CAPTURE(path);
    const auto page = send(dispatcher, Method::get, path);
    CHECK(page.status == 503);
    CHECK(header(page, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(page, "Retry-After") != "<absent>");
    CHECK_FALSE(page.headers.has("Location"));
  }
  CHECK(probe.calls == 0);
}

TEST_CASE("serving: an API path only preboot served answers 400 outside of preboot; others stay 404") {
  Host host;
  Probe probe;
  auto preboot = std::make_shared<RouteSpace>(std::vector<std::string>{}, "/es");
  Route setupRoute;
  setupRoute.method = Method::post;
  setupRoute.pattern = "/internal/setup/verify";
  setupRoute.handler = probe.handler();
  setupRoute.owner = "setup";
  preboot->kibana.add(setupRoute);
  Route page = setupRoute;
  page.method = Method::get;
  page.pattern = "/setup-page";
  preboot->kibana.add(page);
  const Dispatcher dispatcher(Phase::serving, host.routes, host.gate, host.log, kDefaultBodyLimit, preboot);

  const auto over = send(dispatcher, Method::post, "/internal/setup/verify");
  checkKibanaError(over, 400, "Bad Request");
  CHECK(body(over)["message"] == "Cannot process request outside of preboot stage.");
  // Another method on the same path is the same setup step.
  CHECK(send(dispatcher, Method::get, "/internal/setup/verify").status == 400);
  // Paths preboot never served, and preboot pages, are plain 404s.
  checkKibanaError(send(dispatcher, Method::post, "/internal/other"), 404, "Not Found");
  checkKibanaError(send(dispatcher, Method::get, "/setup-page"), 404, "Not Found");
  CHECK(probe.calls == 0);
  // Without the preboot routes (no preboot plugins), 404 as before.
  checkKibanaError(send(host.dispatcher(Phase::serving), Method::post, "/internal/setup/verify"), 404, "Not Found");
}

TEST_CASE("errorResponse renders either shape") {
  const auto kibana = Dispatcher::errorResponse(Surface::kibana, 418, "teapot", "ignored_type");
  CHECK(kibana.body == R"({"statusCode":418,"error":"Unknown","message":"teapot"})");
  const auto es = Dispatcher::errorResponse(Surface::elasticsearch, 413, "too big");
  CHECK(es.body ==
        R"({"error":{"root_cause":[{"type":"content_too_long_exception","reason":"too big"}],"type":"content_too_long_exception","reason":"too big"},"status":413})");
}
