#include "core/config/scalar.hpp"
#include "core/config/yaml_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace orrery::config;
using nlohmann::json;

namespace {
json parse(const std::string& text) { return parseYaml(text, "test.yml"); }

json scalar(const std::string& text) { return parse("v: " + text)["v"]; }

ConfigFileError parseError(const std::string& text, const YamlLimits& limits = {}) {
  try {
    parseYaml(text, "config/orrery.yml", limits);
  } catch (const ConfigFileError& e) {
    return e;
  }
  FAIL("expected a ConfigFileError for: " << text);
  return ConfigFileError("", "");
}
}  // namespace

TEST_CASE("plain nulls resolve to null") {
  for (const char* text : {"null", "Null", "NULL", "~", ""}) {
    CAPTURE(text);
    CHECK(scalar(text).is_null());
  }
  CHECK(scalar("nULL") == "nULL");
}

TEST_CASE("plain booleans resolve per the YAML 1.2 core schema only") {
  for (const char* text : {"true", "True", "TRUE"}) CHECK(scalar(text) == true);
  for (const char* text : {"false", "False", "FALSE"}) CHECK(scalar(text) == false);
  // YAML 1.1 booleans stay text.
  for (const char* text : {"yes", "no", "on", "off", "y", "n", "tRUE"}) {
    CAPTURE(text);
    CHECK(scalar(text) == text);
  }
}

TEST_CASE("plain integers: decimal, hex, octal") {
  CHECK(scalar("42") == 42);
  CHECK(scalar("-17") == -17);
  CHECK(scalar("+8") == 8);
  CHECK(scalar("007") == 7);
  CHECK(scalar("0x1F") == 31);
  CHECK(scalar("0xff") == 255);
  CHECK(scalar("0o17") == 15);
  CHECK(scalar("42").is_number_integer());
  CHECK(scalar("9223372036854775807") == INT64_MAX);
  CHECK(scalar("-9223372036854775808") == INT64_MIN);
}

TEST_CASE("plain integers beyond int64 and malformed radix numbers stay strings") {
  CHECK(scalar("9223372036854775808") == "9223372036854775808");
  CHECK(scalar("0x10000000000000000") == "0x10000000000000000");
  CHECK(scalar("0o8") == "0o8");
  CHECK(scalar("0xg") == "0xg");
  CHECK(scalar("-0x1") == "-0x1");
  CHECK(scalar("0b101") == "0b101");
}

TEST_CASE("plain floats resolve to doubles; infinities and NaN stay strings") {
  CHECK(scalar("1.5") == 1.5);
  CHECK(scalar("1.5").is_number_float());
  CHECK(scalar("-0.25") == -0.25);
  CHECK(scalar(".5") == 0.5);
  CHECK(scalar("1.") == 1.0);
  CHECK(scalar("1.") .is_number_float());
  CHECK(scalar("1e3") == 1000.0);
  CHECK(scalar("+2.5E-1") == 0.25);
  CHECK(scalar("1e999") == "1e999");
  for (const char* text : {".inf", "-.inf", ".Inf", ".nan", ".NaN", "."}) {
    CAPTURE(text);
    CHECK(scalar(text) == text);
  }
}

TEST_CASE("other plain scalars are strings") {
  CHECK(scalar("hello world") == "hello world");
  CHECK(scalar("10s") == "10s");
  CHECK(scalar("1.2.3") == "1.2.3");
  CHECK(scalar("127.0.0.1") == "127.0.0.1");
}

TEST_CASE("quoted scalars always stay strings") {
  CHECK(scalar("\"42\"") == "42");
  CHECK(scalar("'true'") == "true");
  CHECK(scalar("'null'") == "null");
  CHECK(scalar("\"\"") == "");
  CHECK(scalar("'1.5'") == "1.5");
  CHECK(parse("v: |\n  123\n")["v"] == "123\n");
}

TEST_CASE("core tags resolve or are refused") {
  CHECK(scalar("!!str 42") == "42");
  CHECK(scalar("!!int 0x10") == 16);
  CHECK(scalar("!!float 3") == 3.0);
  CHECK(scalar("!!float 3").is_number_float());
  CHECK(parseError("v: !!int abc").problem() == "'abc' is not a valid !!int");
  CHECK(parseError("v: !custom x").problem() == "unsupported tag '!custom'");
}

TEST_CASE("maps become objects with string keys, sequences become arrays") {
  const auto tree = parse("server:\n  port: 1\n  hosts: [a, 2]\n1: one\ntrue: yes\n");
  CHECK(tree == json::parse(R"({"server":{"port":1,"hosts":["a",2]},"1":"one","true":"yes"})"));
  CHECK(parse("- a\n- {b: c}\n") == json::parse(R"(["a",{"b":"c"}])"));
}

TEST_CASE("an empty document is null") {
  CHECK(parse("").is_null());
  CHECK(parse("# only a comment\n").is_null());
}

TEST_CASE("syntax errors name the source, line and column") {
  const auto e = parseError("server:\n  port: 1\n  host: a: b\n");
  CHECK(e.source() == "config/orrery.yml");
  CHECK(e.line() == 3);
  CHECK(e.column() == 10);  // the second colon
  CHECK(std::string(e.what()) == "config/orrery.yml:3:10: " + e.problem());
  CHECK_FALSE(e.problem().empty());

  const auto unclosed = parseError("list: [a, b\n");
  CHECK(unclosed.line() >= 1);
  CHECK(std::string(unclosed.what()).starts_with("config/orrery.yml:"));
}

TEST_CASE("tabs used as indentation are an error with a position") {
  const auto e = parseError("server:\n\tport: 1\n");
  CHECK(e.line() == 2);
}

TEST_CASE("duplicate keys in one map are refused, naming the key and both lines") {
  const auto e = parseError("server:\n  port: 1\n  host: a\n  port: 2\n");
  CHECK(e.line() == 4);
  CHECK(e.column() == 3);
  CHECK(e.problem() == "duplicate key 'port' (first defined on line 2)");
  CHECK(parseError("{a: 1, a: 2}").problem() == "duplicate key 'a' (first defined on line 1)");
  // The same key in different maps is fine.
  CHECK(parse("a: {x: 1}\nb: {x: 2}\n")["b"]["x"] == 2);
  // Keys are compared as text: quoted and plain spellings collide.
  CHECK(parseError("1: a\n'1': b\n").problem() == "duplicate key '1' (first defined on line 1)");
}

TEST_CASE("keys must be scalars") {
  CHECK(parseError("? [a, b]\n: c\n").problem() == "a mapping key must be a scalar, not a list");
  CHECK(parseError("? {a: b}\n: c\n").problem() == "a mapping key must be a scalar, not a map");
  CHECK(parseError("a: &x k\n*x : v\n").problem() == "an alias cannot be a mapping key");
}

TEST_CASE("anchors and aliases expand to copies") {
  const auto tree = parse("base: &b {level: debug, n: 1}\ncopy: *b\nlist: [&s x, *s]\n");
  CHECK(tree["copy"] == tree["base"]);
  CHECK(tree["list"] == json::parse(R"(["x","x"])"));
}

TEST_CASE("a recursive alias is refused") {
  // yaml-cpp registers the anchor before the node ends, so the alias sees it unfinished.
  CHECK(parseError("a: &x [1, *x]\n").problem() == "an alias refers to the node that contains it");
}

TEST_CASE("nesting deeper than the limit is refused with a clear error") {
  std::string deep;
  for (int i = 0; i < 64; ++i) deep += "[";
  for (int i = 0; i < 64; ++i) deep += "]";
  CHECK_NOTHROW(parse(deep));
  const auto e = parseError("[" + deep + "]");
  CHECK(e.problem() == "maps and lists are nested deeper than 64 levels");
  CHECK(e.column() == 65);

  std::string blocks;
  for (int i = 0; i < 70; ++i) blocks += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
  CHECK(parseError(blocks).problem() == "maps and lists are nested deeper than 64 levels");

  YamlLimits shallow;
  shallow.maxDepth = 2;
  CHECK(parseError("a: {b: {c: 1}}", shallow).problem() == "maps and lists are nested deeper than 2 levels");
}

TEST_CASE("alias bombs hit the node limit before expanding") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char name = 'b'; name <= 'i'; ++name) {
    bomb += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", " : "") + "*" + prev;
    bomb += "]\n";
    prev = name;
  }
  const auto e = parseError(bomb);
  CHECK(e.problem() ==
        "the document expands to more than 1000000 values (aliases included); refusing to expand it");

  YamlLimits small;
  small.maxNodes = 5;
  CHECK_NOTHROW(parseYaml("[1, 2, 3, 4]", "x", small));
  CHECK_THROWS_AS(parseYaml("[1, 2, 3, 4, 5]", "x", small), ConfigFileError);
}

TEST_CASE("more than one document is refused") {
  const auto e = parseError("a: 1\n---\nb: 2\n");
  CHECK(e.problem() == "only one YAML document is allowed, found a second one");
  CHECK(e.line() == 2);
}

TEST_CASE("loadYamlFile reads a file and names it in errors") {
  orrery::test::TempDir dir;
  const auto good = dir.write("good.yml", "server:\n  port: 8080\n");
  CHECK(loadYamlFile(good)["server"]["port"] == 8080);

  const auto bad = dir.write("bad.yml", "a: 1\na: 2\n");
  try {
    loadYamlFile(bad);
    FAIL("expected an error");
  } catch (const ConfigFileError& e) {
    CHECK(std::string(e.what()) == bad.string() + ":2:1: duplicate key 'a' (first defined on line 1)");
  }
}

TEST_CASE("a missing or unreadable file is a ConfigFileError naming the path and the reason") {
  orrery::test::TempDir dir;
  const auto missing = dir.path() / "missing.yml";
  try {
    loadYamlFile(missing);
    FAIL("expected an error");
  } catch (const ConfigFileError& e) {
    CHECK(std::string(e.what()) == missing.string() + ": cannot open: No such file or directory");
    CHECK(e.line() == 0);
  }
  try {
    loadYamlFile(dir.path());
    FAIL("expected an error");
  } catch (const ConfigFileError& e) {
    CHECK(std::string(e.what()) == dir.path().string() + ": cannot read: Is a directory");
  }
}

TEST_CASE("a file over the size limit is refused") {
  orrery::test::TempDir dir;
  const auto big = dir.write("big.yml", std::string(100, '#'));
  YamlLimits limits;
  limits.maxFileBytes = 10;
  try {
    loadYamlFile(big, limits);
    FAIL("expected an error");
  } catch (const ConfigFileError& e) {
    CHECK(e.problem() == "file is larger than 10 bytes");
  }
}
