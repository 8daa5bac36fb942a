#include "core/config/config_loader.hpp"
#include "core/config/overrides.hpp"
#include "core/config/yaml_tree.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace orrery::config;
using nlohmann::json;

TEST_CASE("an explicit file is read and --set applies on top, in order") {
  orrery::test::TempDir dir;
  const auto file = dir.write("orrery.yml", "server:\n  port: 8080\n  host: 0.0.0.0\n");
  const auto raw = loadRaw(file, {"server.port=9090", "logging.level=debug", "server.port=9191"},
                           dir.path() / "unused.yml");
  CHECK_FALSE(raw.usedDefaults);
  CHECK(raw.file == file);
  CHECK(raw.tree == json::parse(R"({"server":{"port":9191,"host":"0.0.0.0"},"logging":{"level":"debug"}})"));
}

TEST_CASE("an explicit file that is missing is an error naming it") {
  orrery::test::TempDir dir;
  const auto missing = dir.path() / "nope.yml";
  try {
    loadRaw(missing, {}, dir.path() / "default.yml");
    FAIL("expected a ConfigFileError");
  } catch (const ConfigFileError& e) {
    CHECK(std::string(e.what()) == missing.string() + ": cannot open: No such file or directory");
  }
}

TEST_CASE("no file given: the default file is read when present") {
  orrery::test::TempDir dir;
  const auto def = dir.write("config/orrery.yml", "path:\n  data: /srv\n");
  const auto raw = loadRaw(std::nullopt, {}, def);
  CHECK_FALSE(raw.usedDefaults);
  CHECK(raw.file == def);
  CHECK(raw.tree["path"]["data"] == "/srv");
}

TEST_CASE("no file given and none at the default place: empty tree and usedDefaults") {
  orrery::test::TempDir dir;
  const auto raw = loadRaw(std::nullopt, {"server.port=1"}, dir.path() / "missing.yml");
  CHECK(raw.usedDefaults);
  CHECK_FALSE(raw.file.has_value());
  CHECK(raw.tree == json::parse(R"({"server":{"port":1}})"));
}

TEST_CASE("an empty file is an empty tree") {
  orrery::test::TempDir dir;
  const auto file = dir.write("empty.yml", "# nothing yet\n");
  const auto raw = loadRaw(file, {});
  CHECK(raw.tree == json::object());
  CHECK_FALSE(raw.usedDefaults);
}

TEST_CASE("a file whose top level is not a map is refused") {
  orrery::test::TempDir dir;
  const auto file = dir.write("list.yml", "- a\n- b\n");
  try {
    loadRaw(file, {});
    FAIL("expected a ConfigFileError");
  } catch (const ConfigFileError& e) {
    CHECK(std::string(e.what()) == file.string() + ": the configuration must be a map of settings, not array");
  }
}

TEST_CASE("syntax errors and bad --set surface as their own error types") {
  orrery::test::TempDir dir;
  const auto file = dir.write("bad.yml", "a: [1\n");
  CHECK_THROWS_AS(loadRaw(file, {}), ConfigFileError);
  CHECK_THROWS_AS(loadRaw(std::nullopt, {"nokey"}, dir.path() / "missing.yml"), OverrideError);
}
