// GET /api/status (statusApiHandler): what anonymous and authenticated callers see, the
// per-plugin fields, the metrics, and 503 while the overall level is unavailable.
// g++ 12 at -O3 (the release build) reports a false -Wrestrict on short string
// assignments inlined here (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status/status_api.hpp"
#include "core/status/status_service.hpp"
#include "orrery/task.hpp"

using orrery::ServiceLevel;
using orrery::http::Request;
using orrery::http::Response;
using orrery::http::User;
using orrery::status::PluginState;
using orrery::status::StatusApiInfo;
using orrery::status::StatusService;

namespace {

Response call(const orrery::http::Handler& handler, Request& request) {
  bool finished = false;
  std::exception_ptr error;
  std::optional<Response> response;
  orrery::startTask(handler(request), [&](std::exception_ptr e, std::optional<Response> value) noexcept {
    finished = true;
    error = e;
    response = std::move(value);
  });
  REQUIRE_MESSAGE(finished, "the handler did not finish inside startTask");
  if (error) std::rethrow_exception(error);
  return std::move(*response);
}

nlohmann::json json(const Response& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  REQUIRE_MESSAGE(!parsed.is_discarded(), "not JSON: " << response.body);
  return parsed;
}

User authenticatedUser() { return User{"alice", "Alice", {"superuser"}, "basic", ""}; }

// A host with two started plugins ("search" requires "storage").
struct Fixture {
  StatusService service;
  std::shared_ptr<std::atomic<double>> startupMs = std::make_shared<std::atomic<double>>(-1.0);
  bool anonymousSeesAll = false;
  // Whether the handler gets an anonymousSeesAll callback at all.
  bool withAnonymousCallback = true;

  Fixture() {
    service.registerPlugin("storage", "standard", "1.2.3", {});
    service.registerPlugin("search", "standard", "2.0.0", {"storage"});
    service.setState("storage", PluginState::started);
    service.setState("search", PluginState::started);
  }

  orrery::http::Handler handler() {
    StatusApiInfo info;
    info.name = "orrery-test-host";
    info.version = "9.8.7";
    info.started = std::chrono::steady_clock::now() - std::chrono::seconds(5);
    info.startupMs = startupMs;
    if (withAnonymousCallback) info.anonymousSeesAll = [this] { return anonymousSeesAll; };
    return orrery::status::statusApiHandler(service, std::move(info));
  }

  Response get(const User& user) {
    const auto h = handler();
    Request request;
    request.path = "/api/status";
    request.user = user;
    return call(h, request);
  }
};

}  // namespace

TEST_CASE("an anonymous caller sees only the overall level") {
  Fixture fixture;
  fixture.service.report("search", ServiceLevel::degraded, "slow shard");
  const auto response = fixture.get(User::anonymous());
  CHECK(response.status == 200);
  CHECK(std::string(response.headers.get("Content-Type").value_or("")) == "application/json; charset=utf-8");
  CHECK(json(response) == nlohmann::json{{"status", {{"overall", {{"level", "degraded"}}}}}});
  CHECK(response.body.find("search") == std::string::npos);
  CHECK(response.body.find("9.8.7") == std::string::npos);
}

TEST_CASE("an authenticated caller sees everything") {
  Fixture fixture;
  fixture.service.report("storage", ServiceLevel::degraded, "disk 91% full");
  auto body = json(fixture.get(authenticatedUser()));

  CHECK(body["name"] == "orrery-test-host");
  CHECK(body["version"]["number"] == "9.8.7");
  CHECK(body["status"]["overall"]["level"] == "degraded");
  CHECK(body["status"]["overall"]["summary"].is_string());
  CHECK(body["status"]["overall"]["summary"].get<std::string>().find("storage") != std::string::npos);

  auto& storage = body["status"]["plugins"]["storage"];
  CHECK(storage["level"] == "degraded");
  CHECK(storage["summary"] == "disk 91% full");
  CHECK(storage["state"] == "started");
  CHECK(storage["type"] == "standard");
  CHECK(storage["version"] == "1.2.3");
  CHECK_FALSE(storage.contains("reason"));

  auto& search = body["status"]["plugins"]["search"];
  CHECK(search["level"] == "degraded");
  CHECK(search["summary"].get<std::string>().find("depends on storage") != std::string::npos);
  CHECK(search["version"] == "2.0.0");
  CHECK(body["status"]["plugins"].size() == 2);
}

TEST_CASE("anonymous callers see everything when anonymousSeesAll says so") {
  Fixture fixture;
  fixture.anonymousSeesAll = true;
  auto body = json(fixture.get(User::anonymous()));
  CHECK(body["name"] == "orrery-test-host");
  CHECK(body["status"]["plugins"].contains("storage"));
  CHECK(body["status"]["overall"]["summary"] == "all plugins are available");
}

TEST_CASE("anonymousSeesAll is asked on each request") {
  Fixture fixture;
  const auto h = fixture.handler();
  Request request;
  request.user = User::anonymous();
  CHECK_FALSE(json(call(h, request)).contains("name"));
  fixture.anonymousSeesAll = true;
  CHECK(json(call(h, request)).contains("name"));
}

TEST_CASE("without anonymousSeesAll, anonymous callers see only the level") {
  Fixture f;
  f.withAnonymousCallback = false;
  CHECK(json(f.get(User::anonymous())) == nlohmann::json{{"status", {{"overall", {{"level", "available"}}}}}});
}

TEST_CASE("a failed plugin shows its reason; the overall level unavailable answers 503") {
  Fixture fixture;
  fixture.service.setState("storage", PluginState::failed, "setup threw: no disk");

  SUBCASE("authenticated") {
    const auto response = fixture.get(authenticatedUser());
    CHECK(response.status == 503);
    auto body = json(response);
    CHECK(body["status"]["overall"]["level"] == "unavailable");
    auto& storage = body["status"]["plugins"]["storage"];
    CHECK(storage["state"] == "failed");
    CHECK(storage["level"] == "unavailable");
    CHECK(storage["reason"] == "setup threw: no disk");
  }
  SUBCASE("anonymous") {
    const auto response = fixture.get(User::anonymous());
    CHECK(response.status == 503);
    CHECK(json(response) == nlohmann::json{{"status", {{"overall", {{"level", "unavailable"}}}}}});
  }
}

TEST_CASE("200 while the overall level is available or degraded") {
  Fixture fixture;
  CHECK(fixture.get(authenticatedUser()).status == 200);
  fixture.service.report("search", ServiceLevel::degraded, "slow");
  CHECK(fixture.get(authenticatedUser()).status == 200);
  CHECK(fixture.get(User::anonymous()).status == 200);
  fixture.service.report("search", ServiceLevel::unavailable, "down");
  CHECK(fixture.get(authenticatedUser()).status == 503);
  CHECK(fixture.get(User::anonymous()).status == 503);
}

TEST_CASE("the status follows the service at each request") {
  Fixture fixture;
  const auto h = fixture.handler();
  Request request;
  request.user = authenticatedUser();
  CHECK(json(call(h, request))["status"]["overall"]["level"] == "available");
  fixture.service.report("storage", ServiceLevel::unavailable, "gone");
  CHECK(json(call(h, request))["status"]["overall"]["level"] == "unavailable");
}

TEST_CASE("metrics: uptime always, startup_ms once set") {
  Fixture fixture;
  auto body = json(fixture.get(authenticatedUser()));
  REQUIRE(body["metrics"]["uptime_ms"].is_number_integer());
  CHECK(body["metrics"]["uptime_ms"].get<std::int64_t>() >= 5000);
  CHECK_FALSE(body["metrics"].contains("startup_ms"));

  fixture.startupMs->store(1234.5);
  body = json(fixture.get(authenticatedUser()));
  CHECK(body["metrics"]["startup_ms"] == 1234.5);
  CHECK(body["metrics"]["uptime_ms"].get<std::int64_t>() >= 5000);
}

TEST_CASE("metrics: no startup_ms without a startup holder") {
  Fixture f;
  f.startupMs = nullptr;
  auto body = json(f.get(authenticatedUser()));
  CHECK(body["metrics"].contains("uptime_ms"));
  CHECK_FALSE(body["metrics"].contains("startup_ms"));
  CHECK(body["status"]["plugins"].size() == 2);
}

TEST_CASE("plugin text that is not UTF-8 still gives valid JSON") {
  Fixture fixture;
  fixture.service.report("storage", ServiceLevel::degraded, "bad \xFF byte");
  const auto response = fixture.get(authenticatedUser());
  auto body = json(response);
  CHECK(body["status"]["plugins"]["storage"]["summary"] == "bad \xEF\xBF\xBD byte");
}
