#include "core/config/schema_validator.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace orrery::config;
using namespace std::chrono_literals;
using nlohmann::json;
using orrery::ConfigSchema;
using orrery::ConfigType;

namespace {

ConfigSchema sampleSchema() {
  ConfigSchema s;
  s.boolean("enabled", true)
      .integer("capacity", 10, {.min = 1, .max = 1000})
      .number("ratio", 0.5, {.min = 0.0, .max = 1.0})
      .string("mode", "fast", {"fast", "safe"})
      .string("name", "x")
      .duration("poll_interval", 500ms, {.min = 10ms, .max = 1h})
      .bytes("maxBody", 10 * 1024 * 1024, {.min = 1024, .max = std::int64_t{1} << 30})
      .stringList("tags", {})
      .stringMap("levels", {"debug", "info"})
      .string("tls.cert", "cert.pem")
      .string("tls.key", "key.pem")
      .integer("tls.options.depth", 3)
      .optional("comment", ConfigType::string);
  return s;
}

ValidatedSection run(const std::string& yamlJson, const ConfigSchema& schema = sampleSchema()) {
  return validateSection(json::parse(yamlJson), schema, "task_manager");
}

// The single issue of a validation, checked to be the only one.
ConfigIssue onlyIssue(const std::string& input, const ConfigSchema& schema = sampleSchema()) {
  const auto result = run(input, schema);
  REQUIRE(result.issues.size() == 1);
  return result.issues.front();
}

std::string schemaError(const ConfigSchema& schema) {
  try {
    checkSchema(schema, "myplugin");
  } catch (const SchemaError& e) {
    return e.what();
  }
  FAIL("expected a SchemaError");
  return {};
}

}  // namespace

TEST_CASE("absent, null and empty sections get every default, nested by dotted keys") {
  const auto expected = json::parse(R"({
    "enabled": true, "capacity": 10, "ratio": 0.5, "mode": "fast", "name": "x",
    "poll_interval": 500, "maxBody": 10485760, "tags": [], "levels": {},
    "tls": {"cert": "cert.pem", "key": "key.pem", "options": {"depth": 3}}})");
  for (const char* input : {"null", "{}"}) {
    const auto result = run(input);
    CHECK(result.issues.empty());
    CHECK(result.value == expected);
  }
}

TEST_CASE("given values replace defaults; units are normalized") {
  const auto result = run(R"({"capacity": 20, "poll_interval": "2s", "maxBody": "64kb",
                              "tls": {"cert": "c"}, "comment": "hi"})");
  CHECK(result.issues.empty());
  CHECK(result.value["capacity"] == 20);
  CHECK(result.value["poll_interval"] == 2000);
  CHECK(result.value["maxBody"] == 65536);
  CHECK(result.value["tls"] == json::parse(R"({"cert":"c","key":"key.pem","options":{"depth":3}})"));
  CHECK(result.value["comment"] == "hi");
}

TEST_CASE("optional keys left unset are absent; null means unset") {
  CHECK_FALSE(run("{}").value.contains("comment"));
  const auto result = run(R"({"capacity": null, "comment": null})");
  CHECK(result.issues.empty());
  CHECK(result.value["capacity"] == 10);
  CHECK_FALSE(result.value.contains("comment"));
}

TEST_CASE("dotted keys in the input read as nested maps") {
  const auto result = run(R"({"tls.cert": "a", "tls": {"options.depth": 5}})");
  CHECK(result.issues.empty());
  CHECK(result.value["tls"]["cert"] == "a");
  CHECK(result.value["tls"]["options"]["depth"] == 5);
}

TEST_CASE("a setting given twice is an issue") {
  const auto issue = onlyIssue(R"({"tls.cert": "a", "tls": {"cert": "b"}})");
  CHECK(issue.key == "task_manager.tls.cert");
  CHECK(issue.message == "is set more than once (as nested maps and as a dotted key)");
}

TEST_CASE("wrong types name the expected form and the value") {
  struct Case {
    const char* input;
    const char* key;
    const char* message;
  };
  const Case cases[] = {
      {R"({"enabled": "yes"})", "task_manager.enabled", R"(expected true or false, got "yes")"},
      {R"({"enabled": 1})", "task_manager.enabled", "expected true or false, got 1"},
      {R"({"capacity": "5"})", "task_manager.capacity", R"(expected an integer, got "5")"},
      {R"({"capacity": 1.5})", "task_manager.capacity", "expected an integer, got 1.5"},
      {R"({"ratio": "0.5"})", "task_manager.ratio", R"(expected a number, got "0.5")"},
      {R"({"name": 5})", "task_manager.name", "expected a string, got 5"},
      {R"({"name": true})", "task_manager.name", "expected a string, got true"},
      {R"({"poll_interval": "5 s"})", "task_manager.poll_interval",
       R"(expected a duration such as 500ms, 5s, 5m, 7d, got "5 s")"},
      {R"({"poll_interval": "500"})", "task_manager.poll_interval",
       R"(expected a duration such as 500ms, 5s, 5m, 7d, got "500")"},
      {R"({"poll_interval": -5})", "task_manager.poll_interval",
       "expected a duration such as 500ms, 5s, 5m, 7d, got -5"},
      {R"({"poll_interval": 1.5})", "task_manager.poll_interval",
       "expected a duration such as 500ms, 5s, 5m, 7d, got 1.5"},
      {R"({"maxBody": "10 mb"})", "task_manager.maxBody",
       R"(expected a byte size such as 512b, 64kb, 10mb, 1gb, got "10 mb")"},
      {R"({"tags": "a"})", "task_manager.tags", R"(expected a list of strings, got "a")"},
      {R"({"tags": ["a", 1]})", "task_manager.tags", R"(expected a list of strings, got ["a",1])"},
      {R"({"levels": ["a"]})", "task_manager.levels", R"(expected a map of strings, got ["a"])"},
      {R"({"mode": 3})", "task_manager.mode", "expected one of: fast, safe, got 3"},
      {R"({"tls": {"options": {"depth": "deep"}}})", "task_manager.tls.options.depth",
       R"(expected an integer, got "deep")"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const auto issue = onlyIssue(c.input);
    CHECK(issue.key == c.key);
    CHECK(issue.message == c.message);
  }
}

TEST_CASE("long values are truncated in messages") {
  const auto issue = onlyIssue(R"({"capacity": ")" + std::string(200, 'x') + R"("})");
  CHECK(issue.message == "expected an integer, got \"" + std::string(56, 'x') + "...");
}

TEST_CASE("invalid UTF-8 in a value does not break the message") {
  json input = json::object();
  input["name"] = 5;
  input["mode"] = std::string("\xff\xfe");
  const auto result = validateSection(input, sampleSchema(), "s");
  REQUIRE(result.issues.size() == 2);
  CHECK(result.issues[0].message.starts_with("expected one of: fast, safe, got \""));
}

TEST_CASE("integers accept integral doubles, numbers accept integers") {
  const auto result = run(R"({"capacity": 20.0, "ratio": 1})");
  CHECK(result.issues.empty());
  CHECK(result.value["capacity"] == 20);
  CHECK(result.value["capacity"].is_number_integer());
  CHECK(result.value["ratio"] == 1);
}

TEST_CASE("durations and byte sizes accept non-negative integers as ms and bytes") {
  const auto result = run(R"({"poll_interval": 250, "maxBody": 2048})");
  CHECK(result.issues.empty());
  CHECK(result.value["poll_interval"] == 250);
  CHECK(result.value["maxBody"] == 2048);
}

TEST_CASE("values out of range name the range in the type's units") {
  struct Case {
    const char* input;
    const char* key;
    const char* message;
  };
  const Case cases[] = {
      {R"({"capacity": 0})", "task_manager.capacity", "expected an integer between 1 and 1000, got 0"},
      {R"({"capacity": 1001})", "task_manager.capacity", "expected an integer between 1 and 1000, got 1001"},
      {R"({"ratio": 1.5})", "task_manager.ratio", "expected a number between 0 and 1, got 1.5"},
      {R"({"poll_interval": "5ms"})", "task_manager.poll_interval",
       "expected a duration between 10ms and 1h, got 5ms"},
      {R"({"poll_interval": "2h"})", "task_manager.poll_interval",
       "expected a duration between 10ms and 1h, got 2h"},
      {R"({"poll_interval": 3})", "task_manager.poll_interval", "expected a duration between 10ms and 1h, got 3ms"},
      {R"({"maxBody": "512b"})", "task_manager.maxBody", "expected a byte size between 1kb and 1gb, got 512b"},
      {R"({"maxBody": "2gb"})", "task_manager.maxBody", "expected a byte size between 1kb and 1gb, got 2gb"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const auto issue = onlyIssue(c.input);
    CHECK(issue.key == c.key);
    CHECK(issue.message == c.message);
  }
}

TEST_CASE("one-sided ranges say at least / at most") {
  ConfigSchema s;
  s.duration("timeout", 1s, {.min = 1ms, .max = std::nullopt}).integer("count", 1, {.min = std::nullopt, .max = 5});
  CHECK(onlyIssue(R"({"timeout": 0})", s).message == "expected a duration of at least 1ms, got 0ms");
  CHECK(onlyIssue(R"({"count": 6})", s).message == "expected an integer of at most 5, got 6");
}

TEST_CASE("oneOf applies to strings, list items and map values") {
  auto issue = onlyIssue(R"({"mode": "slow"})");
  CHECK(issue.key == "task_manager.mode");
  CHECK(issue.message == R"(expected one of: fast, safe, got "slow")");

  ConfigSchema s;
  s.add({"kinds", ConfigType::stringList, orrery::ConfigValue(std::vector<std::string>{}), false, {}, {},
         {"a", "b"}, ""});
  issue = onlyIssue(R"({"kinds": ["a", "c"]})", s);
  CHECK(issue.key == "task_manager.kinds[1]");
  CHECK(issue.message == R"(expected one of: a, b, got "c")");

  issue = onlyIssue(R"({"levels": {"plugins.foo": "loud"}})");
  CHECK(issue.key == "task_manager.levels.plugins.foo");
  CHECK(issue.message == R"(expected one of: debug, info, got "loud")");

  issue = onlyIssue(R"({"levels": {"x": 1}})");
  CHECK(issue.key == "task_manager.levels.x");
  CHECK(issue.message == "expected one of: debug, info, got 1");
}

TEST_CASE("string maps take dotted keys in any spelling") {
  const auto result = run(R"({"levels": {"plugins.foo": "debug", "plugins": {"bar": "info"}}, "levels.http": "info"})");
  CHECK(result.issues.empty());
  CHECK(result.value["levels"] == json::parse(R"({"plugins.foo":"debug","plugins.bar":"info","http":"info"})"));

  const auto twice = onlyIssue(R"({"levels": {"plugins.foo": "debug", "plugins": {"foo": "info"}}})");
  CHECK(twice.key == "task_manager.levels.plugins.foo");
  CHECK(twice.message == "is set more than once (as nested maps and as a dotted key)");
}

TEST_CASE("required keys must be given") {
  ConfigSchema s;
  s.required("token", ConfigType::string).required("timeout", ConfigType::duration);
  const auto result = run("{}", s);
  REQUIRE(result.issues.size() == 2);
  CHECK(result.issues[0].key == "task_manager.token");
  CHECK(result.issues[0].message == "is required (a string)");
  CHECK(result.issues[1].key == "task_manager.timeout");
  CHECK(result.issues[1].message == "is required (a duration such as 500ms, 5s, 5m, 7d)");
  CHECK(run(R"({"token": null, "timeout": "1s"})", s).issues.size() == 1);
  CHECK(run(R"({"token": "t", "timeout": "1s"})", s).issues.empty());
}

TEST_CASE("unknown keys are reported at every depth with the keys known there") {
  auto issue = onlyIssue(R"({"capacty": 5})");
  CHECK(issue.key == "task_manager.capacty");
  CHECK(issue.message ==
        "unknown key (known keys under task_manager: capacity, comment, enabled, levels, maxBody, mode, name, "
        "poll_interval, ratio, tags, tls)");

  issue = onlyIssue(R"({"tls": {"crt": "x"}})");
  CHECK(issue.key == "task_manager.tls.crt");
  CHECK(issue.message == "unknown key (known keys under task_manager.tls: cert, key, options)");

  issue = onlyIssue(R"({"tls": {"options": {"width": 1}}})");
  CHECK(issue.key == "task_manager.tls.options.width");
  CHECK(issue.message == "unknown key (known keys under task_manager.tls.options: depth)");

  issue = onlyIssue(R"({"tls.options.width": 1})");
  CHECK(issue.key == "task_manager.tls.options.width");
  CHECK(issue.message == "unknown key (known keys under task_manager.tls.options: depth)");

  // A dotted key below a leaf is unknown too.
  issue = onlyIssue(R"({"capacity.max": 1})");
  CHECK(issue.key == "task_manager.capacity.max");
  CHECK(issue.message.starts_with("unknown key (known keys under task_manager: capacity,"));

  ConfigSchema empty;
  issue = onlyIssue(R"({"x": 1})", empty);
  CHECK(issue.message == "unknown key (known keys under task_manager: none)");
}

TEST_CASE("a map where a value is expected, and a value where a map is expected") {
  auto issue = onlyIssue(R"({"capacity": {"max": 5}})");
  CHECK(issue.key == "task_manager.capacity");
  CHECK(issue.message == R"(expected an integer, got {"max":5})");

  issue = onlyIssue(R"({"tls": "on"})");
  CHECK(issue.key == "task_manager.tls");
  CHECK(issue.message == R"(expected a map with keys cert, key, options, got "on")");

  issue = onlyIssue(R"([1, 2])");
  CHECK(issue.key == "task_manager");
  CHECK(issue.message.starts_with("expected a map of settings (known keys: capacity, comment,"));
  CHECK(issue.message.ends_with("got [1,2]"));
}

TEST_CASE("a failed field is absent from the result, others are kept") {
  const auto result = run(R"({"capacity": "many", "name": "n"})");
  CHECK(result.issues.size() == 1);
  CHECK_FALSE(result.value.contains("capacity"));
  CHECK(result.value["name"] == "n");
}

TEST_CASE("pieces from several spellings combine") {
  const json nested = json::parse(R"({"tls": {"key": "k"}})");
  const json cert = "c";
  const json depth = 7;
  const auto result = validateSection({{"", &nested}, {"tls.cert", &cert}, {"tls.options.depth", &depth}},
                                      sampleSchema(), "task_manager");
  CHECK(result.issues.empty());
  CHECK(result.value["tls"] == json::parse(R"({"cert":"c","key":"k","options":{"depth":7}})"));
}

TEST_CASE("schema self-checks name the field") {
  ConfigSchema dup;
  dup.integer("a", 1).string("a", "x");
  CHECK(schemaError(dup) == "config schema of 'myplugin': field 'a' is declared twice");

  ConfigSchema prefix;
  prefix.string("tls", "x").string("tls.cert", "y");
  CHECK(schemaError(prefix) == "config schema of 'myplugin': field 'tls' is a value and also the parent of field 'tls.cert'");

  ConfigSchema wrongDefault;
  wrongDefault.add({"port", ConfigType::integer, orrery::ConfigValue(std::string("80")), false, {}, {}, {}, ""});
  CHECK(schemaError(wrongDefault) ==
        "config schema of 'myplugin': field 'port': the default is not of the declared type integer");

  ConfigSchema wrongDuration;
  wrongDuration.add({"t", ConfigType::duration, orrery::ConfigValue(true), false, {}, {}, {}, ""});
  CHECK(schemaError(wrongDuration) ==
        "config schema of 'myplugin': field 't': the default is not of the declared type duration");

  ConfigSchema below;
  below.integer("n", 0, {.min = 1, .max = 5});
  CHECK(schemaError(below) == "config schema of 'myplugin': field 'n': default 0 is below the minimum 1");

  ConfigSchema above;
  above.duration("t", 2h, {.min = std::nullopt, .max = 1h});
  CHECK(schemaError(above) == "config schema of 'myplugin': field 't': default 2h is above the maximum 1h");

  ConfigSchema notAllowed;
  notAllowed.string("mode", "slow", {"fast", "safe"});
  CHECK(schemaError(notAllowed) ==
        "config schema of 'myplugin': field 'mode': default 'slow' is not one of: fast, safe");

  ConfigSchema inverted;
  inverted.bytes("b", 2048, {.min = 4096, .max = 1024});
  CHECK(schemaError(inverted) == "config schema of 'myplugin': field 'b': min 4kb is above max 1kb");

  ConfigSchema requiredDefault;
  requiredDefault.add({"r", ConfigType::string, orrery::ConfigValue(std::string("x")), true, {}, {}, {}, ""});
  CHECK(schemaError(requiredDefault) ==
        "config schema of 'myplugin': field 'r': a required key cannot have a default");

  ConfigSchema emptySegment;
  emptySegment.string("a..b", "x");
  CHECK(schemaError(emptySegment) == "config schema of 'myplugin': field 'a..b': the key has an empty segment");

  ConfigSchema boundedString;
  boundedString.add({"s", ConfigType::string, orrery::ConfigValue(std::string("x")), false, 1.0, {}, {}, ""});
  CHECK(schemaError(boundedString) ==
        "config schema of 'myplugin': field 's': min/max apply only to integer, number, duration and bytes fields");

  ConfigSchema negative;
  negative.duration("t", -1ms);
  CHECK(schemaError(negative) == "config schema of 'myplugin': field 't': the default is negative");

  CHECK_NOTHROW(checkSchema(sampleSchema(), "myplugin"));
}

TEST_CASE("validateSection checks the schema first") {
  ConfigSchema dup;
  dup.integer("a", 1).integer("a", 2);
  CHECK_THROWS_AS(validateSection(json::object(), dup, "s"), SchemaError);
}
