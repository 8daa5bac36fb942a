// Invalid manifests and dependency graphs stop the host with exit code 78 and a message
// naming the files and fields involved.
#include <doctest/doctest.h>

#include "host_setup.hpp"

using harness::HostSetup;

namespace {
// Starts a host expected to refuse; returns its output after checking the exit code.
std::string refused(HostSetup& setup) {
  auto host = setup.start();
  const auto code = host->waitExit();
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 78, host->output());
  return host->output();
}
bool has(const std::string& out, const std::string& text) { return out.find(text) != std::string::npos; }
}  // namespace

TEST_CASE("each kind of invalid manifest is refused naming the file, the field and what was expected") {
  struct Case {
    const char* name;
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"not_json.json", "{ \"id\": \"x\",\n  oops }", "not valid JSON at line 2"},
      {"not_object.json", "[1, 2]", "expected a JSON object at the top level, got an array"},
      {"missing_id.json", R"({"version":"1.0.0","sdkVersion":"^1.0","library":"x.so"})", "field 'id': required"},
      {"mistyped.json", R"({"id":"x","version":42,"sdkVersion":"^1.0","library":"x.so"})",
       "field 'version': expected a string"},
      {"unknown.json", R"({"id":"x","version":"1.0.0","sdkVersion":"^1.0","library":"x.so","requierdPlugins":[]})",
       "field 'requierdPlugins': unknown field"},
      {"bad_id.json", R"({"id":"Bad-Id","version":"1.0.0","sdkVersion":"^1.0","library":"x.so"})",
       "field 'id': expected a plugin id matching [a-z][a-z0-9_]*"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    HostSetup setup;
    setup.addRawManifest(c.name, c.text);
    const auto out = refused(setup);
    CHECK(has(out, (setup.pluginDir() / c.name).string()));
    CHECK(has(out, c.expect));
  }
}

TEST_CASE("all invalid manifests are reported in one run") {
  HostSetup setup;
  setup.addRawManifest("one.json", "[]");
  setup.addRawManifest("two.json", "nope");
  const auto out = refused(setup);
  CHECK(has(out, "one.json"));
  CHECK(has(out, "two.json"));
}

TEST_CASE("a dependency cycle names its members in order") {
  HostSetup setup;
  setup.addFixture("noop", {{"id", "alpha"}, {"requiredPlugins", {"beta"}}});
  setup.addFixture("noop", {{"id", "beta"}, {"requiredPlugins", {"alpha"}}});
  const auto out = refused(setup);
  CHECK(has(out, "dependency cycle: alpha -> beta -> alpha"));
}

TEST_CASE("a duplicate id names both manifests") {
  HostSetup setup;
  setup.addFixture("greeter");
  nlohmann::json copy = {{"id", "greeter"}, {"version", "1.0.0"}, {"sdkVersion", "^1.0.0"}, {"library", "x.so"}};
  setup.addRawManifest("other_greeter.json", copy.dump());
  const auto out = refused(setup);
  CHECK(has(out, "duplicate plugin id 'greeter'"));
  CHECK(has(out, "greeter.json"));
  CHECK(has(out, "other_greeter.json"));
}

TEST_CASE("a standard plugin may not depend on a preboot plugin") {
  HostSetup setup;
  setup.addFixture("preboot_holder");
  setup.addFixture("noop", {{"requiredPlugins", {"preboot_holder"}}});
  const auto out = refused(setup);
  CHECK(has(out, "noop"));
  CHECK(has(out, "preboot_holder"));
}

TEST_CASE("a preboot plugin may not depend on a standard plugin") {
  HostSetup setup;
  setup.addFixture("preboot_holder", {{"requiredPlugins", {"noop"}}});
  setup.addFixture("noop");
  const auto out = refused(setup);
  CHECK(has(out, "preboot_holder"));
  CHECK(has(out, "noop"));
}

TEST_CASE("a plugin folder that does not exist is named") {
  HostSetup setup;
  auto host = harness::ChildProcess(harness::orreryBinary(),
                                    setup.arguments({"--plugin-path", (setup.root() / "missing").string()}));
  CHECK(host.waitExit().value_or(-1) == 78);
  CHECK(has(host.output(), (setup.root() / "missing").string()));
}
