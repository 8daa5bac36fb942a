// StatusService: each plugin's effective level from its lifecycle state, its own report
// and its dependencies; the overall level and summary.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/status/status_service.hpp"

using orrery::ServiceLevel;
using orrery::status::PluginState;
using orrery::status::PluginStatus;
using orrery::status::StatusService;

namespace {

// The services' enums by name, so that doctest prints them in failures (their own
// toString returns string_view, which doctest cannot print).
std::string name(orrery::status::PluginState state) { return std::string(orrery::status::toString(state)); }
std::string name(orrery::ServiceLevel level) { return std::string(orrery::toString(level)); }

PluginStatus statusOf(const StatusService& service, const std::string& id) {
  auto status = service.plugin(id);
  REQUIRE_MESSAGE(status.has_value(), "no status for " << id);
  return *status;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("effective level follows the lifecycle state") {
  StatusService service;
  service.registerPlugin("a", "standard", "1.0.0", {});

  SUBCASE("pending: degraded, not set up yet") {
    const auto s = statusOf(service, "a");
    CHECK(name(s.state) == name(PluginState::pending));
    CHECK(name(s.level) == name(ServiceLevel::degraded));
    CHECK(s.type == "standard");
    CHECK(s.version == "1.0.0");
  }
  SUBCASE("set up: degraded") {
    service.setState("a", PluginState::setUp);
    CHECK(name(statusOf(service, "a").level) == name(ServiceLevel::degraded));
  }
  SUBCASE("started: available until it reports otherwise") {
    service.setState("a", PluginState::started);
    CHECK(name(statusOf(service, "a").level) == name(ServiceLevel::available));
    CHECK(service.report("a", ServiceLevel::degraded, "slow disk"));
    auto s = statusOf(service, "a");
    CHECK(name(s.level) == name(ServiceLevel::degraded));
    CHECK(s.summary == "slow disk");
    CHECK(service.report("a", ServiceLevel::unavailable, "no disk"));
    CHECK(name(statusOf(service, "a").level) == name(ServiceLevel::unavailable));
    CHECK(service.report("a", ServiceLevel::available, ""));
    CHECK(name(statusOf(service, "a").level) == name(ServiceLevel::available));
  }
  SUBCASE("failed: unavailable with the reason") {
    service.setState("a", PluginState::failed, "setup threw: boom");
    const auto s = statusOf(service, "a");
    CHECK(name(s.level) == name(ServiceLevel::unavailable));
    CHECK(s.reason == "setup threw: boom");
    CHECK(contains(s.summary, "setup threw: boom"));
  }
  SUBCASE("disabled: unavailable with the reason") {
    service.setState("a", PluginState::disabled, "a disabled: requires z, which failed");
    const auto s = statusOf(service, "a");
    CHECK(name(s.level) == name(ServiceLevel::unavailable));
    CHECK(contains(s.summary, "requires z, which failed"));
  }
  SUBCASE("a failed plugin's own report does not make it available") {
    service.setState("a", PluginState::failed, "boom");
    service.report("a", ServiceLevel::available, "fine, really");
    CHECK(name(statusOf(service, "a").level) == name(ServiceLevel::unavailable));
  }
}

TEST_CASE("report() says whether anything changed") {
  StatusService service;
  service.registerPlugin("a", "standard", "1.0.0", {});
  CHECK_FALSE(service.report("a", ServiceLevel::available, ""));  // already so
  CHECK(service.report("a", ServiceLevel::degraded, "busy"));
  CHECK_FALSE(service.report("a", ServiceLevel::degraded, "busy"));
  CHECK(service.report("a", ServiceLevel::degraded, "busier"));
  CHECK_FALSE(service.report("unknown", ServiceLevel::degraded, "x"));
}

TEST_CASE("a dependency's trouble makes a started dependent degraded, never worse") {
  StatusService service;
  service.registerPlugin("dep", "standard", "1.0.0", {});
  service.registerPlugin("app", "standard", "1.0.0", {"dep"});
  service.setState("dep", PluginState::started);
  service.setState("app", PluginState::started);
  CHECK(name(statusOf(service, "app").level) == name(ServiceLevel::available));

  SUBCASE("dependency degraded") {
    service.report("dep", ServiceLevel::degraded, "slow");
    const auto s = statusOf(service, "app");
    CHECK(name(s.level) == name(ServiceLevel::degraded));
    CHECK(contains(s.summary, "depends on dep, which is degraded"));
  }
  SUBCASE("dependency unavailable: capped at degraded") {
    service.report("dep", ServiceLevel::unavailable, "down");
    const auto s = statusOf(service, "app");
    CHECK(name(s.level) == name(ServiceLevel::degraded));
    CHECK(contains(s.summary, "depends on dep, which is unavailable"));
  }
  SUBCASE("dependency failed: capped at degraded") {
    service.setState("dep", PluginState::failed, "start threw");
    const auto s = statusOf(service, "app");
    CHECK(name(s.level) == name(ServiceLevel::degraded));
    CHECK(contains(s.summary, "depends on dep, which is unavailable"));
  }
  SUBCASE("the dependent's own worse report wins") {
    service.report("dep", ServiceLevel::degraded, "slow");
    service.report("app", ServiceLevel::unavailable, "broken");
    const auto s = statusOf(service, "app");
    CHECK(name(s.level) == name(ServiceLevel::unavailable));
    CHECK(s.summary == "broken");
  }
  SUBCASE("through a chain") {
    service.registerPlugin("top", "standard", "1.0.0", {"app"});
    service.setState("top", PluginState::started);
    service.report("dep", ServiceLevel::unavailable, "down");
    const auto s = statusOf(service, "top");
    CHECK(name(s.level) == name(ServiceLevel::degraded));
    CHECK(contains(s.summary, "depends on app, which is degraded"));
  }
}

TEST_CASE("overall: the worst among plugins not disabled in config and not stopped") {
  StatusService service;
  service.registerPlugin("a", "standard", "1.0.0", {});
  service.registerPlugin("b", "standard", "1.0.0", {});
  service.registerPlugin("off", "standard", "1.0.0", {});
  service.setState("a", PluginState::started);
  service.setState("b", PluginState::started);
  service.setState("off", PluginState::disabledInConfig, "disabled in config");

  auto snapshot = service.snapshot();
  CHECK(name(snapshot.overall) == name(ServiceLevel::available));
  CHECK(snapshot.summary == "all plugins are available");
  REQUIRE(snapshot.plugins.size() == 3);
  CHECK(snapshot.plugins[0].id == "a");
  CHECK(snapshot.plugins[2].id == "off");
  CHECK(name(snapshot.plugins[2].level) == name(ServiceLevel::unavailable));  // listed, not counted

  service.report("b", ServiceLevel::degraded, "slow");
  snapshot = service.snapshot();
  CHECK(name(snapshot.overall) == name(ServiceLevel::degraded));
  CHECK(contains(snapshot.summary, "degraded: b"));

  service.setState("a", PluginState::failed, "boom");
  snapshot = service.snapshot();
  CHECK(name(snapshot.overall) == name(ServiceLevel::unavailable));
  CHECK(contains(snapshot.summary, "unavailable: a"));
  CHECK(contains(snapshot.summary, "degraded: b"));
  CHECK_FALSE(contains(snapshot.summary, "off"));

  // Stopped plugins no longer count.
  service.setState("a", PluginState::stopped);
  service.setState("b", PluginState::stopped);
  snapshot = service.snapshot();
  CHECK(name(snapshot.overall) == name(ServiceLevel::available));
  CHECK(snapshot.summary == "all plugins are available");
}

TEST_CASE("a plugin disabled through a dependency counts for the overall level") {
  StatusService service;
  service.registerPlugin("a", "standard", "1.0.0", {});
  service.registerPlugin("b", "standard", "1.0.0", {"a"});
  service.setState("a", PluginState::failed, "setup threw");
  service.setState("b", PluginState::disabled, "b disabled: requires a, which failed: setup threw");
  const auto snapshot = service.snapshot();
  CHECK(name(snapshot.overall) == name(ServiceLevel::unavailable));
  CHECK(contains(snapshot.summary, "unavailable: a, b"));
}

TEST_CASE("registering again keeps the order; unknown ids are ignored") {
  StatusService service;
  service.registerPlugin("a", "standard", "1.0.0", {});
  service.registerPlugin("b", "preboot", "2.0.0", {});
  service.registerPlugin("a", "standard", "1.1.0", {});
  service.setState("nobody", PluginState::failed, "x");
  CHECK_FALSE(service.plugin("nobody").has_value());
  const auto snapshot = service.snapshot();
  REQUIRE(snapshot.plugins.size() == 2);
  CHECK(snapshot.plugins[0].id == "a");
  CHECK(snapshot.plugins[0].version == "1.1.0");
  CHECK(snapshot.plugins[1].type == "preboot");
}
