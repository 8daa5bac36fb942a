#include "core/config/config_check.hpp"
#include "core/config/core_schema.hpp"
#include "core/config/schema_validator.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace orrery::config;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Fixture {
  orrery::ConfigSchema taskManager;
  orrery::ConfigSchema reporting;
  std::vector<SectionSpec> specs;
  std::set<std::string> ids{"task_manager", "reporting", "security"};

  Fixture() {
    taskManager.duration("poll_interval", 3s, {.min = 100ms, .max = std::nullopt}).integer("max_workers", 10, {.min = 1, .max = std::nullopt});
    reporting.bytes("csv.maxSize", 10 * 1024 * 1024).boolean("enabled", true);
    specs = coreSectionSpecs();
    specs.push_back({"task_manager", &taskManager});
    specs.push_back({"xpack.reporting", &reporting});
    specs.push_back({"security", nullptr});
  }

  CheckedConfig check(const std::string& tree) const { return checkConfig(json::parse(tree), specs, ids); }
};

constexpr const char* kTopLevel =
    "known top-level keys: executors, logging, path, plugins, security, server, storage, task_manager, xpack";

}  // namespace

TEST_CASE("an empty tree yields every section with defaults") {
  const Fixture f;
  const auto checked = f.check("{}");
  CHECK(checked.issues.empty());
  CHECK(checked.sections.at("server") ==
        json::parse(R"({"elasticsearchMount":"/es","host":"127.0.0.1","keepAlive":true,"keepAliveTimeout":60000,"maxBodySize":1048576,"maxConnections":1024,"maxHeaderSize":16384,"maxInFlightBodyBytes":536870912,"port":5601,"requestTimeout":30000,"shutdownTimeout":30000,"ssl":{"enabled":false}})"));
  CHECK(checked.sections.at("task_manager") == json::parse(R"({"poll_interval":3000,"max_workers":10})"));
  CHECK(checked.sections.at("xpack.reporting") == json::parse(R"({"csv":{"maxSize":10485760},"enabled":true})"));
  CHECK(checked.sections.at("security") == json::object());
  CHECK(checkConfig(json(nullptr), f.specs, f.ids).issues.empty());
}

TEST_CASE("sections are found nested, dotted, or both") {
  const Fixture f;
  const auto checked = f.check(R"({
    "server.port": 8080,
    "xpack": {"reporting": {"csv.maxSize": "1mb"}},
    "xpack.reporting.enabled": false,
    "task_manager": {"poll_interval": "1s"},
    "logging": {"loggers": {"plugins.foo": "debug"}},
    "logging.loggers.http": "warn"
  })");
  CHECK(checked.issues.empty());
  CHECK(checked.sections.at("server")["port"] == 8080);
  CHECK(checked.sections.at("xpack.reporting") == json::parse(R"({"csv":{"maxSize":1048576},"enabled":false})"));
  CHECK(checked.sections.at("task_manager")["poll_interval"] == 1000);
  CHECK(checked.sections.at("logging")["loggers"] == json::parse(R"({"plugins.foo":"debug","http":"warn"})"));
}

TEST_CASE("section issues carry the full dotted key") {
  const Fixture f;
  const auto checked = f.check(R"({"task_manager": {"poll_interval": "5ms"}, "xpack": {"reporting": {"csv": {"maxSize": "big"}}}})");
  REQUIRE(checked.issues.size() == 2);
  CHECK(checked.issues[0].key == "task_manager.poll_interval");
  CHECK(checked.issues[0].message == "expected a duration of at least 100ms, got 5ms");
  CHECK(checked.issues[1].key == "xpack.reporting.csv.maxSize");
  CHECK(checked.issues[1].message == R"(expected a byte size such as 512b, 64kb, 10mb, 1gb, got "big")");
}

TEST_CASE("unknown top-level keys list the known top-level keys") {
  const Fixture f;
  const auto checked = f.check(R"({"sever": {"port": 1}, "server.prot": 2})");
  REQUIRE(checked.issues.size() == 2);
  CHECK(checked.issues[0].key == "server.prot");
  CHECK(checked.issues[0].message == "unknown key (known keys under server: elasticsearchMount, host, keepAlive, keepAliveTimeout, maxBodySize, "
                                         "maxConnections, maxHeaderSize, maxInFlightBodyBytes, port, requestTimeout, shutdownTimeout, ssl)");
  CHECK(checked.issues[1].key == "sever");
  CHECK(checked.issues[1].message == std::string("unknown key (") + kTopLevel + ")");
}

TEST_CASE("unknown keys between the root and a section path") {
  const Fixture f;
  auto checked = f.check(R"({"xpack": {"reportng": {}}})");
  REQUIRE(checked.issues.size() == 1);
  CHECK(checked.issues[0].key == "xpack.reportng");
  CHECK(checked.issues[0].message == "unknown key (known keys under xpack: reporting)");

  checked = f.check(R"({"xpack.security.enabled": true})");
  REQUIRE(checked.issues.size() == 1);
  CHECK(checked.issues[0].key == "xpack.security.enabled");
  CHECK(checked.issues[0].message == "unknown key (known keys under xpack: reporting)");

  checked = f.check(R"({"xpack": 5})");
  REQUIRE(checked.issues.size() == 1);
  CHECK(checked.issues[0].key == "xpack");
  CHECK(checked.issues[0].message == "expected a map with keys reporting, got 5");
}

TEST_CASE("a top level that is not a map is one issue") {
  const Fixture f;
  const auto checked = f.check(R"([1])");
  REQUIRE(checked.issues.size() == 1);
  CHECK(checked.issues[0].message == "expected a map of settings at the top level, got [1]");
}

TEST_CASE("sections without a schema are accepted unchecked") {
  const Fixture f;
  const auto checked = f.check(R"({"security": {"anything": [1, 2], "deep": {"x": true}}, "security.more": 1})");
  CHECK(checked.issues.empty());
  CHECK(checked.sections.at("security") == json::parse(R"({"anything":[1,2],"deep":{"x":true},"more":1})"));
}

TEST_CASE("plugins.<id> takes only enabled: <bool> for discovered ids") {
  const Fixture f;
  auto checked = f.check(R"({"plugins": {"paths": ["/opt/p"], "reporting": {"enabled": false},
                                          "security.enabled": true}, "plugins.task_manager": {}})");
  CHECK(checked.issues.empty());
  const auto& plugins = checked.sections.at("plugins");
  CHECK(plugins["paths"] == json::parse(R"(["/opt/p"])"));
  CHECK(plugins["lifecycle"] == json::parse(R"({"timeout":10000,"warnAfter":2000})"));
  CHECK(plugins["reporting"] == json::parse(R"({"enabled":false})"));
  CHECK(plugins["security"] == json::parse(R"({"enabled":true})"));
  CHECK(plugins["task_manager"] == json::parse(R"({"enabled":true})"));

  checked = f.check(R"({"plugins": {"reporting": {"enabled": "no", "color": "red"}}})");
  REQUIRE(checked.issues.size() == 2);
  CHECK(checked.issues[0].key == "plugins.reporting.color");
  CHECK(checked.issues[0].message == "unknown key (known keys under plugins.reporting: enabled)");
  CHECK(checked.issues[1].key == "plugins.reporting.enabled");
  CHECK(checked.issues[1].message == R"(expected true or false, got "no")");

  checked = f.check(R"({"plugins": {"reporting": false}})");
  REQUIRE(checked.issues.size() == 1);
  CHECK(checked.issues[0].key == "plugins.reporting");
  CHECK(checked.issues[0].message == "expected a map of settings (known keys: enabled), got false");
}

TEST_CASE("plugins.<x> for an unknown id lists the discovered plugins") {
  const Fixture f;
  const auto checked = f.check(R"({"plugins": {"reportng": {"enabled": false}}, "plugins.nope.enabled": true})");
  REQUIRE(checked.issues.size() == 2);
  CHECK(checked.issues[0].key == "plugins.nope");
  CHECK(checked.issues[0].message == "unknown plugin 'nope' (discovered plugins: reporting, security, task_manager)");
  CHECK(checked.issues[1].key == "plugins.reportng");
  CHECK(checked.issues[1].message ==
        "unknown plugin 'reportng' (discovered plugins: reporting, security, task_manager)");

  const auto none = checkConfig(json::parse(R"({"plugins": {"x": {}}})"), coreSectionSpecs(), {});
  REQUIRE(none.issues.size() == 1);
  CHECK(none.issues[0].message == "unknown plugin 'x' (discovered plugins: none)");
}

TEST_CASE("plugins' own settings are still validated") {
  const Fixture f;
  const auto checked = f.check(R"({"plugins": {"lifecycle": {"timeout": "0ms", "warnAftr": "1s"}}})");
  REQUIRE(checked.issues.size() == 2);
  CHECK(checked.issues[0].key == "plugins.lifecycle.timeout");
  CHECK(checked.issues[0].message == "expected a duration of at least 1ms, got 0ms");
  CHECK(checked.issues[1].key == "plugins.lifecycle.warnAftr");
  CHECK(checked.issues[1].message == "unknown key (known keys under plugins.lifecycle: timeout, warnAfter)");
}

TEST_CASE("overlapping section paths are a SchemaError") {
  orrery::ConfigSchema s;
  CHECK_THROWS_AS(checkConfig(json::object(), {{"a", &s}, {"a", &s}}, {}), SchemaError);
  CHECK_THROWS_AS(checkConfig(json::object(), {{"a", &s}, {"a.b", nullptr}}, {}), SchemaError);
  CHECK_THROWS_AS(checkConfig(json::object(), {{"a.b", &s}, {"a", nullptr}}, {}), SchemaError);
  CHECK_NOTHROW(checkConfig(json::object(), {{"a.b", &s}, {"a.c", nullptr}, {"ab", &s}}, {}));
}

TEST_CASE("disabledInConfig finds well-typed false in every spelling") {
  CHECK(disabledInConfig(json::parse(R"({"plugins": {"a": {"enabled": false}, "b": {"enabled": true},
                                          "c.enabled": false, "d": {"enabled": "false"}, "e": {"enabled": 0},
                                          "paths": []}, "plugins.f.enabled": false,
                                          "plugins.g": {"enabled": false}, "other": {"h": {"enabled": false}}})")) ==
        std::set<std::string>{"a", "c", "f", "g"});
  CHECK(disabledInConfig(json::parse(R"({"plugins": {"x.y": {"enabled": false}}})")).empty());
  CHECK(disabledInConfig(json::parse(R"({"plugins": {"enabled": false}})")).empty());
  CHECK(disabledInConfig(json(nullptr)).empty());
  CHECK(disabledInConfig(json::parse("[1]")).empty());
}

TEST_CASE("formatIssues writes one line per issue") {
  CHECK(formatIssues({}) == "");
  CHECK(formatIssues({{"a.b", "is required (a string)"}, {"c", "unknown key (known top-level keys: a)"}}) ==
        "a.b: is required (a string)\nc: unknown key (known top-level keys: a)");
}
