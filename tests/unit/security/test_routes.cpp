// The /internal/security routes, called through the handlers they register.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <orrery/http/error.hpp>

#include "fakes/recording_http.hpp"
#include "routes.hpp"
#include "run_task.hpp"
#include "security_fixture.hpp"

using namespace orrery::security;
using namespace orrery::security::test;
using orrery::http::HttpError;
using orrery::http::Method;
using orrery::http::Request;
using orrery::http::User;
using Json = nlohmann::json;

namespace {

const std::string kApiKeyPath = "/internal/security/api_key";

struct RoutesFixture : SecurityFixture {
  explicit RoutesFixture(std::function<void(Settings&)> adjust = {})
      : SecurityFixture({user("alice", "pw", {}, "Alice"), user("root", "pw", {"superuser"})}, std::move(adjust)) {
    registerRoutes(router, state);
  }

  // Calls a route as `caller`; returns status and parsed body, or throws the HttpError.
  std::pair<int, Json> call(Method method, const std::string& path, const User& caller, std::string body = {},
                            std::vector<std::pair<std::string, std::string>> query = {}) {
    Request request;
    request.method = method;
    request.path = path;
    request.body = std::move(body);
    request.query = std::move(query);
    request.user = caller;
    const auto response = runTask(executors, router.at(method, path).handler(request));
    CHECK(response.headers.get("Content-Type") == "application/json; charset=utf-8");
    return {response.status, Json::parse(response.body)};
  }

  // The message of the HttpError a call throws, with its status checked.
  std::string errorOf(int status, Method method, const User& caller, std::string body) {
    try {
      call(method, kApiKeyPath, caller, std::move(body));
    } catch (const HttpError& e) {
      CHECK(e.status() == status);
      return e.what();
    }
    return "(no error)";
  }

  RecordingRouter router;
};

User basicUser(const std::string& name, std::vector<std::string> roles = {}) {
  return User{name, "", std::move(roles), "basic", ""};
}
const User alice = basicUser("alice");
const User root = basicUser("root", {"superuser"});

}  // namespace

TEST_CASE("every route requires authentication and limits its body") {
  RoutesFixture f;
  CHECK(f.router.routes.size() == 4);
  for (const auto& [key, route] : f.router.routes) {
    CAPTURE(key.second);
    CHECK(route.options.auth == orrery::http::Auth::required);
    CHECK(route.options.maxBodyBytes > 0);
  }
}

TEST_CASE("GET /internal/security/me describes the caller") {
  RoutesFixture f;
  auto [status, body] = f.call(Method::get, "/internal/security/me", User{"alice", "Alice", {"viewer"}, "basic", ""});
  CHECK(status == 200);
  CHECK(body ==
        Json{{"username", "alice"}, {"full_name", "Alice"}, {"roles", {"viewer"}}, {"authentication_type", "basic"}});

  const auto key = f.state->apiKeys.create("alice", "ci", std::nullopt, f.clock.wallNow());
  std::tie(status, body) =
      f.call(Method::get, "/internal/security/me", User{"alice", "Alice", {}, "api_key", key.key.id});
  CHECK(body["authentication_type"] == "api_key");
  CHECK(body["api_key"] == Json{{"id", key.key.id}, {"name", "ci"}});
}

TEST_CASE("POST api_key creates a key for the caller that then authenticates") {
  RoutesFixture f;
  auto [status, body] = f.call(Method::post, kApiKeyPath, alice, R"({"name":"ci","expiration":"7d"})");
  CHECK(status == 200);
  CHECK(body["name"] == "ci");
  CHECK(body["id"].get<std::string>().size() == 20);
  CHECK(body["expiration"] == toEpochMillis(f.clock.wallNow() + std::chrono::hours(7 * 24)));
  CHECK(base64Decode(body["encoded"].get<std::string>()) ==
        body["id"].get<std::string>() + ":" + body["api_key"].get<std::string>());

  const auto request = requestWith("ApiKey " + body["encoded"].get<std::string>());
  const auto result = runTask(f.executors, f.authenticator->authenticate(request));
  CHECK(result.user.username == "alice");
  CHECK(result.user.apiKeyId == body["id"]);

  std::tie(status, body) = f.call(Method::post, kApiKeyPath, alice, R"({"name":"forever"})");
  CHECK_FALSE(body.contains("expiration"));
}

TEST_CASE("POST api_key answers 400 naming the bad field") {
  RoutesFixture f;
  CHECK(f.errorOf(400, Method::post, alice, R"({"name":42})") ==
        "[request body.name]: expected value of type [string] but got [number]");
  CHECK(f.errorOf(400, Method::post, alice, R"({})") == "[request body.name]: expected a value but got [undefined]");
  CHECK(f.errorOf(400, Method::post, alice, R"({"name":"  "})") == "[request body.name]: expected a non-empty name");
  CHECK(f.errorOf(400, Method::post, alice, R"({"name":"ci","expiration":"soon"})") ==
        "[request body.expiration]: expected a time value such as 7d, 12h, 30m or 60s but got [soon]");
  CHECK(f.errorOf(400, Method::post, alice, R"({"name":"ci","role_descriptors":{}})") ==
        "[request body.role_descriptors]: definition for this key is missing");
  CHECK(f.errorOf(400, Method::post, alice, "not json") == "[request body]: is not valid JSON");
  CHECK(f.errorOf(400, Method::post, alice, R"({"name":")" + std::string(1025, 'n') + "\"}") ==
        "[request body.name]: expected at most 1024 bytes");
  CHECK(f.state->apiKeys.list("").empty());
}

TEST_CASE("an API key cannot create API keys") {
  RoutesFixture f;
  const User byKey{"alice", "", {}, "api_key", "someid"};
  CHECK(f.errorOf(403, Method::post, byKey, R"({"name":"ci"})").find("logged in with a password") != std::string::npos);
}

TEST_CASE("GET api_key lists the caller's keys without secrets; a superuser may ask for anyone's") {
  RoutesFixture f;
  f.call(Method::post, kApiKeyPath, alice, R"({"name":"one"})");
  f.call(Method::post, kApiKeyPath, root, R"({"name":"root's"})");
  auto [status, body] = f.call(Method::get, kApiKeyPath, alice);
  CHECK(status == 200);
  REQUIRE(body["api_keys"].size() == 1);
  const auto& key = body["api_keys"][0];
  CHECK(key["name"] == "one");
  CHECK(key["username"] == "alice");
  CHECK(key["invalidated"] == false);
  CHECK(key.contains("creation"));
  CHECK_FALSE(key.contains("api_key"));
  CHECK_FALSE(key.contains("hash"));

  std::tie(status, body) = f.call(Method::get, kApiKeyPath, root, "", {{"username", "alice"}});
  CHECK(body["api_keys"].size() == 1);
  std::tie(status, body) = f.call(Method::get, kApiKeyPath, root, "", {{"username", ""}});
  CHECK(body["api_keys"].size() == 2);
  Request request;
  request.user = alice;
  request.query = {{"username", "root"}};
  CHECK_THROWS_WITH_AS(runTask(f.executors, f.router.at(Method::get, kApiKeyPath).handler(request)),
                       "only a superuser may list other users' API keys", HttpError);
}

TEST_CASE("DELETE api_key invalidates the caller's keys; a superuser may invalidate anyone's") {
  RoutesFixture f;
  const auto alices = f.call(Method::post, kApiKeyPath, alice, R"({"name":"a"})").second["id"].get<std::string>();
  const auto roots = f.call(Method::post, kApiKeyPath, root, R"({"name":"r"})").second["id"].get<std::string>();

  auto [status, body] = f.call(Method::del, kApiKeyPath, alice, Json{{"ids", {alices, roots}}}.dump());
  CHECK(status == 200);
  CHECK(body["invalidated_api_keys"] == Json{alices});
  CHECK(body["previously_invalidated_api_keys"] == Json::array());
  CHECK(body["error_count"] == 1);
  CHECK(body["error_details"][0]["reason"] == "no API key with id [" + roots + "]");
  CHECK(f.state->apiKeys.find(alices)->invalidated);
  CHECK_FALSE(f.state->apiKeys.find(roots)->invalidated);

  std::tie(status, body) = f.call(Method::del, kApiKeyPath, root, Json{{"ids", {alices, roots}}}.dump());
  CHECK(body["invalidated_api_keys"] == Json{roots});
  CHECK(body["previously_invalidated_api_keys"] == Json{alices});
  CHECK(body["error_count"] == 0);
  CHECK_FALSE(body.contains("error_details"));
}

TEST_CASE("DELETE api_key answers 400 naming the bad field") {
  RoutesFixture f;
  CHECK(f.errorOf(400, Method::del, alice, R"({"ids":"abc"})") ==
        "[request body.ids]: expected value of type [array] but got [string]");
  CHECK(f.errorOf(400, Method::del, alice, R"({"ids":["a",1]})") ==
        "[request body.ids.1]: expected value of type [string] but got [number]");
  CHECK(f.errorOf(400, Method::del, alice, R"({"ids":[]})") == "[request body.ids]: expected at least one API key id");
  CHECK(f.errorOf(400, Method::del, alice, R"({"names":["a"]})") ==
        "[request body.names]: definition for this key is missing");
}

TEST_CASE("with apiKeys.enabled false the key routes say so") {
  RoutesFixture f([](Settings& s) { s.apiKeysEnabled = false; });
  CHECK(f.errorOf(400, Method::post, alice, R"({"name":"ci"})").find("API keys are disabled") != std::string::npos);
  CHECK(f.errorOf(400, Method::get, alice, "").find("API keys are disabled") != std::string::npos);
}
