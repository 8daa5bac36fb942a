#include "core/config/config_check.hpp"
#include "core/config/core_schema.hpp"
#include "core/config/schema_validator.hpp"

#include <doctest/doctest.h>

using namespace orrery::config;
using nlohmann::json;

TEST_CASE("core schemas are valid and cover the documented sections") {
  const auto schemas = coreSchemas();
  std::vector<std::string> paths;
  for (const auto& [path, schema] : schemas) {
    CHECK_NOTHROW(checkSchema(schema, path));
    paths.push_back(path);
  }
  CHECK(paths == std::vector<std::string>{"server", "path", "storage", "logging", "executors", "plugins"});
  CHECK(coreSectionSpecs().size() == schemas.size());
}

TEST_CASE("core defaults") {
  const auto checked = checkConfig(json::object(), coreSectionSpecs(), {});
  CHECK(checked.issues.empty());
  CHECK(checked.sections.at("server") ==
        json::parse(R"({"elasticsearchMount":"/es","host":"127.0.0.1","keepAlive":true,"keepAliveTimeout":60000,"maxBodySize":1048576,"maxConnections":1024,"maxHeaderSize":16384,"maxInFlightBodyBytes":536870912,"port":5601,"requestTimeout":30000,"shutdownTimeout":30000,"ssl":{"enabled":false}})"));
  CHECK(checked.sections.at("path") == json::parse(R"({"data":"data"})"));
  CHECK(checked.sections.at("logging") == json::parse(R"({"level":"info","format":"text","loggers":{}})"));
  CHECK(checked.sections.at("plugins") ==
        json::parse(R"({"paths":[],"lifecycle":{"timeout":10000,"warnAfter":2000}})"));
}

TEST_CASE("core constraints") {
  const auto checked = checkConfig(json::parse(R"({
    "server": {"port": 70000},
    "logging": {"level": "verbose", "format": "xml", "file": 3, "loggers": {"plugins.foo": "loud"}},
    "plugins": {"lifecycle": {"warnAfter": 0}, "paths": "p"}
  })"), coreSectionSpecs(), {});
  REQUIRE(checked.issues.size() == 7);
  const std::string levels = "trace, debug, info, warn, error, critical, off";
  CHECK(checked.issues[0] == ConfigIssue{"logging.file", "expected a string, got 3"});
  CHECK(checked.issues[1] == ConfigIssue{"logging.format", R"(expected one of: text, json, got "xml")"});
  CHECK(checked.issues[2] == ConfigIssue{"logging.level", "expected one of: " + levels + R"(, got "verbose")"});
  CHECK(checked.issues[3] == ConfigIssue{"logging.loggers.plugins.foo", "expected one of: " + levels + R"(, got "loud")"});
  CHECK(checked.issues[4] == ConfigIssue{"plugins.lifecycle.warnAfter", "expected a duration of at least 1ms, got 0ms"});
  CHECK(checked.issues[5] == ConfigIssue{"plugins.paths", R"(expected a list of strings, got "p")"});
  CHECK(checked.issues[6] == ConfigIssue{"server.port", "expected an integer between 0 and 65535, got 70000"});
}

TEST_CASE("logging.file is optional and kept when given") {
  const auto checked = checkConfig(json::parse(R"({"logging": {"file": "/var/log/orrery.log"}})"),
                                   coreSectionSpecs(), {});
  CHECK(checked.issues.empty());
  CHECK(checked.sections.at("logging")["file"] == "/var/log/orrery.log");
}
