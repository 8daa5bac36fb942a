// Configuration through the real binary: plugin schemas, unknown keys, bad values (exit
// code 78 naming the key), --set overrides and units.
#include <csignal>
#include <doctest/doctest.h>

#include "host_setup.hpp"

using harness::HostSetup;

namespace {
bool has(const std::string& out, const std::string& text) { return out.find(text) != std::string::npos; }
}  // namespace

TEST_CASE("a plugin reads its own validated section; units such as 7d are accepted") {
  HostSetup setup;
  setup.addFixture("greeter");
  setup.writeConfig("greeter:\n  greeting: Salut\n  patience: 7d\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(has(host->output(), "greeter set up with greeting Salut and patience 604800000ms"));
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("--set overrides the file, and defaults fill what is left out") {
  HostSetup setup;
  setup.addFixture("greeter");
  setup.writeConfig("greeter:\n  greeting: Salut\n");
  auto host = setup.start({"--set", "greeter.greeting=Hi"});
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(has(host->output(), "greeter set up with greeting Hi and patience 5000ms"));
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("bad config stops the host with exit code 78 and names the key and the expected form") {
  struct Case {
    const char* yaml;
    const char* expect;
    std::vector<std::string> args = {};
  };
  const Case cases[] = {
      {"greeter:\n  patience: soon\n", "greeter.patience: expected a duration such as 500ms, 5s, 5m, 7d"},
      {"greeter:\n  greting: Hi\n", "greeter.greting: unknown key"},
      {"colour: blue\n", "colour: unknown key"},
      {"logging:\n  level: loud\n", "logging.level: expected one of"},
      {"plugins:\n  paths: nope\n", "plugins.paths: expected a list of strings"},
      {"", "plugins.lifecycle.timeout", {"--set", "plugins.lifecycle.timeout=-5"}},
      {"plugins:\n  nosuch:\n    enabled: false\n", "unknown plugin 'nosuch'"},
      {"greeter: [1, 2\n", "orrery.yml:"},
  };
  for (const auto& c : cases) {
    const std::string yaml = c.yaml;
    CAPTURE(yaml);
    HostSetup setup;
    setup.addFixture("greeter");
    setup.writeConfig(c.yaml);
    auto host = setup.start(c.args);
    CHECK(host->waitExit().value_or(-1) == 78);
    CHECK_MESSAGE(has(host->output(), c.expect), host->output());
    CHECK(!has(host->output(), "setup took"));
  }
}

TEST_CASE("a --config file that does not exist is an error naming it") {
  HostSetup setup;
  auto host = setup.start({"--config", (setup.root() / "absent.yml").string()});
  CHECK(host->waitExit().value_or(-1) == 78);
  CHECK(has(host->output(), (setup.root() / "absent.yml").string()));
}

TEST_CASE("a malformed --set is an error naming it") {
  HostSetup setup;
  auto host = setup.start({"--set", "no-equals-sign"});
  CHECK(host->waitExit().value_or(-1) == 78);
  CHECK(has(host->output(), "no-equals-sign"));
}

TEST_CASE("logging.format json writes one JSON object per line with the plugin's logger name") {
  HostSetup setup;
  setup.addFixture("greeter");
  auto host = setup.start({"--set", "logging.format=json"});
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
  const auto out = host->output();
  CHECK(has(out, "\"log.logger\":\"plugins.greeter\""));
  CHECK(has(out, "\"message\":\"greeter started\""));
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = out.find('\n', start);
    const auto line = out.substr(start, end - start);
    CHECK_MESSAGE(nlohmann::json::accept(line), line);
    ++lines;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  CHECK(lines > 5);
}

TEST_CASE("logging.loggers sets a level per logger: debug for one plugin only") {
  HostSetup setup;
  setup.addFixture("noop", {{"id", "loud"}});
  setup.addFixture("noop", {{"id", "quiet"}});
  setup.writeConfig("logging:\n  loggers:\n    plugins.loud: debug\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
  CHECK(has(host->output(), "loud set up"));
  CHECK(!has(host->output(), "quiet set up"));
}
