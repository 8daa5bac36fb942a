#include "core/config/overrides.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace orrery::config;
using nlohmann::json;

namespace {
json applied(json tree, const std::string& assignment) {
  applySet(tree, assignment);
  return tree;
}

std::string errorOf(const std::string& assignment, json tree = json::object()) {
  try {
    applySet(tree, assignment);
  } catch (const OverrideError& e) {
    return e.what();
  }
  FAIL("expected an OverrideError for " << assignment);
  return {};
}
}  // namespace

TEST_CASE("--set resolves plain values like the file does") {
  CHECK(applied(json::object(), "server.port=8080") == json::parse(R"({"server":{"port":8080}})"));
  CHECK(applied(json::object(), "a=true")["a"] == true);
  CHECK(applied(json::object(), "a=1.5")["a"] == 1.5);
  CHECK(applied(json::object(), "a=10s")["a"] == "10s");
  CHECK(applied(json::object(), "a=")["a"].is_null());
  CHECK(applied(json::object(), "a=~")["a"].is_null());
  CHECK(applied(json::object(), "x.y=10s") == json::parse(R"({"x":{"y":"10s"}})"));
}

TEST_CASE("--set takes the rest of a plain value literally") {
  CHECK(applied(json::object(), "a=b: c")["a"] == "b: c");
  CHECK(applied(json::object(), "a=#x")["a"] == "#x");
  CHECK(applied(json::object(), "a=x=y")["a"] == "x=y");
  CHECK(applied(json::object(), "a= spaced ")["a"] == "spaced");
}

TEST_CASE("--set parses flow lists, flow maps and quoted strings") {
  CHECK(applied(json::object(), "plugins.paths=[a,b]") == json::parse(R"({"plugins":{"paths":["a","b"]}})"));
  CHECK(applied(json::object(), "a=[1, '2']")["a"] == json::parse(R"([1,"2"])"));
  CHECK(applied(json::object(), "a={x: 1, y: [z]}")["a"] == json::parse(R"({"x":1,"y":["z"]})"));
  CHECK(applied(json::object(), "a=\"42\"")["a"] == "42");
  CHECK(applied(json::object(), "a='true'")["a"] == "true");
  CHECK(applied(json::object(), "a=[]")["a"] == json::array());
}

TEST_CASE("--set creates intermediate maps and keeps siblings") {
  const auto tree = json::parse(R"({"server":{"host":"h"},"logging":null})");
  CHECK(applied(tree, "server.port=1") == json::parse(R"({"server":{"host":"h","port":1},"logging":null})"));
  CHECK(applied(tree, "logging.level=debug")["logging"] == json::parse(R"({"level":"debug"})"));
  CHECK(applied(json(nullptr), "a.b=1") == json::parse(R"({"a":{"b":1}})"));
}

TEST_CASE("--set replaces a whole value, maps included") {
  const auto tree = json::parse(R"({"server":{"tls":{"cert":"a","key":"b"}}})");
  CHECK(applied(tree, "server.tls={cert: c}") == json::parse(R"({"server":{"tls":{"cert":"c"}}})"));
  CHECK(applied(tree, "server.tls.cert=x")["server"]["tls"] == json::parse(R"({"cert":"x","key":"b"})"));
}

TEST_CASE("--set removes other spellings of the same setting") {
  const auto flat = json::parse(R"({"server.port":1,"server":{"host":"h"},"plugins":{"foo.enabled":true}})");
  CHECK(applied(flat, "server.port=2") ==
        json::parse(R"({"server":{"host":"h","port":2},"plugins":{"foo.enabled":true}})"));
  CHECK(applied(flat, "plugins.foo.enabled=false")["plugins"] == json::parse(R"({"foo":{"enabled":false}})"));
  // Deeper spellings go when a parent is replaced.
  CHECK(applied(json::parse(R"({"server.tls.cert":"a"})"), "server.tls=x") ==
        json::parse(R"({"server":{"tls":"x"}})"));
}

TEST_CASE("--set refuses to replace a non-map intermediate") {
  CHECK(errorOf("server.port.x=1", json::parse(R"({"server":{"port":1}})")) ==
        "--set 'server.port.x=1': 'server.port' already holds number, not a map");
  CHECK(errorOf("a.b=1", json::parse(R"({"a":[1]})")) == "--set 'a.b=1': 'a' already holds array, not a map");
}

TEST_CASE("--set errors name the assignment") {
  CHECK(errorOf("server.port") == "--set 'server.port': expected key=value");
  CHECK(errorOf("=1") == "--set '=1': the key before '=' is empty");
  CHECK(errorOf(" =1") == "--set ' =1': the key before '=' is empty");
  CHECK(errorOf("a..b=1") == "--set 'a..b=1': the key 'a..b' has an empty segment");
  CHECK(errorOf(".a=1") == "--set '.a=1': the key '.a' has an empty segment");
  CHECK(errorOf("a.=1") == "--set 'a.=1': the key 'a.' has an empty segment");
  const auto bad = errorOf("a=[x, y");
  CHECK(bad.starts_with("--set 'a=[x, y': the value is not valid YAML (line 1, column "));
  CHECK(errorOf("a={x: 1").starts_with("--set 'a={x: 1': the value is not valid YAML"));
  CHECK(errorOf("a=[x] y").starts_with("--set 'a=[x] y': the value is not valid YAML"));
  CHECK(errorOf("a=\"x\" y").starts_with("--set 'a=\"x\" y': the value is not valid YAML"));
  CHECK(errorOf("a=[x]\n- y").starts_with("--set 'a=[x]\n- y': the value is not valid YAML"));
  CHECK(errorOf("x=1", json::array()) == "--set 'x=1': the configuration is not a map");
}
