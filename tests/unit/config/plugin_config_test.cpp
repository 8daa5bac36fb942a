#include "core/config/plugin_config.hpp"
#include "core/config/schema_validator.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace orrery::config;
using namespace std::chrono_literals;
using nlohmann::json;
using orrery::ConfigType;

namespace {

orrery::ConfigSchema schema() {
  orrery::ConfigSchema s;
  s.boolean("enabled", true)
      .integer("capacity", 10)
      .number("ratio", 0.5)
      .string("mode", "fast")
      .duration("poll", 500ms)
      .bytes("maxBody", 1024)
      .stringList("tags", {"a"})
      .stringMap("levels")
      .string("tls.cert", "cert.pem")
      .optional("token", ConfigType::string);
  return s;
}

JsonPluginConfig configFor(const std::string& input) {
  const auto s = schema();
  auto validated = validateSection(json::parse(input), s, "demo");
  REQUIRE(validated.issues.empty());
  return JsonPluginConfig(s, std::move(validated.value), "demo");
}

std::string errorOf(const auto& call) {
  try {
    call();
  } catch (const orrery::ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace

TEST_CASE("getters return validated values and defaults") {
  const auto config = configFor(R"({"capacity": 3, "poll": "2s", "maxBody": "1mb", "tls": {"cert": "c.pem"},
                                    "levels": {"plugins.x": "debug"}, "ratio": 1})");
  CHECK(config.getBool("enabled"));
  CHECK(config.getInt("capacity") == 3);
  CHECK(config.getNumber("ratio") == 1.0);
  CHECK(config.getString("mode") == "fast");
  CHECK(config.getDuration("poll") == 2s);
  CHECK(config.getBytes("maxBody") == 1024 * 1024);
  CHECK(config.getStringList("tags") == std::vector<std::string>{"a"});
  CHECK(config.getStringMap("levels") == std::map<std::string, std::string>{{"plugins.x", "debug"}});
  CHECK(config.getString("tls.cert") == "c.pem");
}

TEST_CASE("has() is false for optional keys left unset and for undeclared keys") {
  CHECK_FALSE(configFor("{}").has("token"));
  CHECK(configFor(R"({"token": "t"})").has("token"));
  CHECK(configFor(R"({"token": "t"})").getString("token") == "t");
  CHECK(configFor("{}").has("capacity"));
  CHECK(configFor("{}").has("tls.cert"));
  CHECK_FALSE(configFor("{}").has("tls"));
  CHECK_FALSE(configFor("{}").has("nope"));
}

TEST_CASE("an undeclared key is a ConfigError naming it") {
  const auto config = configFor("{}");
  CHECK(errorOf([&] { (void)config.getInt("capacty"); }) ==
        "config key 'demo.capacty' is not declared in the plugin's config schema");
  CHECK(errorOf([&] { (void)config.getString("tls"); }) ==
        "config key 'demo.tls' is not declared in the plugin's config schema");
}

TEST_CASE("a key read as another type is a ConfigError naming the declared type") {
  const auto config = configFor("{}");
  CHECK(errorOf([&] { (void)config.getInt("poll"); }) == "config key 'demo.poll' is declared as duration, not read as integer");
  CHECK(errorOf([&] { (void)config.getString("capacity"); }) ==
        "config key 'demo.capacity' is declared as integer, not read as string");
  CHECK(errorOf([&] { (void)config.getBool("mode"); }) == "config key 'demo.mode' is declared as string, not read as boolean");
  CHECK(errorOf([&] { (void)config.getNumber("capacity"); }) ==
        "config key 'demo.capacity' is declared as integer, not read as number");
  CHECK(errorOf([&] { (void)config.getBytes("poll"); }) == "config key 'demo.poll' is declared as duration, not read as bytes");
  CHECK(errorOf([&] { (void)config.getDuration("maxBody"); }) ==
        "config key 'demo.maxBody' is declared as bytes, not read as duration");
  CHECK(errorOf([&] { (void)config.getStringList("levels"); }) ==
        "config key 'demo.levels' is declared as stringMap, not read as stringList");
  CHECK(errorOf([&] { (void)config.getStringMap("tags"); }) ==
        "config key 'demo.tags' is declared as stringList, not read as stringMap");
}

TEST_CASE("reading an unset optional key is a ConfigError") {
  const auto config = configFor("{}");
  CHECK(errorOf([&] { (void)config.getString("token"); }) ==
        "config key 'demo.token' is optional and not set; check has() first");
}

TEST_CASE("unvalidated JSON gives a ConfigError, not a JSON exception") {
  const JsonPluginConfig config(schema(), json::parse(R"({"capacity": "x", "tags": [1]})"));
  CHECK_THROWS_AS((void)config.getInt("capacity"), orrery::ConfigError);
  CHECK_THROWS_AS((void)config.getStringList("tags"), orrery::ConfigError);
}

TEST_CASE("toJson dumps the section") {
  const auto config = configFor(R"({"capacity": 3})");
  const auto dumped = json::parse(config.toJson());
  CHECK(dumped["capacity"] == 3);
  CHECK(dumped["tls"]["cert"] == "cert.pem");
  CHECK(JsonPluginConfig(schema(), json(nullptr)).toJson() == "{}");
}
