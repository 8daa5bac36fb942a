// Preboot holds through the real binary: a hold that asks for a config reload, a rejected
// hold, a dropped hold, and a stop while holding.
#include <csignal>
#include <doctest/doctest.h>

#include "host_setup.hpp"

using harness::HostSetup;

namespace {
bool has(const std::string& out, const std::string& text) { return out.find(text) != std::string::npos; }

void holderConfig(HostSetup& setup, const std::string& mode, const std::string& more = "") {
  setup.writeConfig("preboot_holder:\n  mode: " + mode + "\n  configFile: " + setup.configFile().string() +
                    "\n  appendToConfig: \"greeter:\\n  greeting: Bonjour\"\n" + more);
}
}  // namespace

TEST_CASE("a preboot plugin holds setup, rewrites the config and asks for a reload; the host applies it") {
  HostSetup setup;
  setup.addFixture("preboot_holder");
  setup.addFixture("greeter");
  holderConfig(setup, "reload");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  const auto out = host->output();
  CHECK(has(out, "preboot_holder holding setup, mode reload, on hold: yes"));
  // (Whether the host logged the hold as pending depends on timing here; the "wait" case
  // below checks that line.)
  CHECK(has(out, "reloading the config"));
  CHECK(has(out, "greeter set up with greeting Bonjour"));
  // Preboot plugins stop before standard plugins are set up.
  CHECK(host->find("plugin preboot_holder: stop took") < host->find("plugin greeter: setup took"));
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("a rejected hold stops the host with the reason and a non-zero exit code") {
  HostSetup setup;
  setup.addFixture("preboot_holder");
  setup.addFixture("greeter");
  holderConfig(setup, "reject");
  auto host = setup.start();
  CHECK(host->waitExit().value_or(-1) == 1);
  CHECK(has(host->output(), "preboot_holder rejected its hold (\"waiting for the fixture\"): the fixture said no"));
  CHECK(!has(host->output(), "plugin greeter: setup took"));
}

TEST_CASE("a hold dropped without being resolved counts as rejected") {
  HostSetup setup;
  setup.addFixture("preboot_holder");
  holderConfig(setup, "drop");
  auto host = setup.start();
  CHECK(host->waitExit().value_or(-1) == 1);
  CHECK(has(host->output(), "the hold was dropped without being resolved"));
}

TEST_CASE("SIGTERM while setup is on hold stops the preboot plugins and exits 0 without setting up others") {
  HostSetup setup;
  setup.addFixture("preboot_holder");
  setup.addFixture("greeter");
  holderConfig(setup, "wait");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("setup is on hold: preboot_holder: waiting for the fixture"), host->output());
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
  CHECK(has(host->output(), "plugin preboot_holder: stop took"));
  CHECK(!has(host->output(), "plugin greeter: setup took"));
}

TEST_CASE("a reload that produces an invalid config stops the host with exit code 78") {
  HostSetup setup;
  setup.addFixture("preboot_holder");
  setup.addFixture("greeter");
  setup.writeConfig("preboot_holder:\n  mode: reload\n  configFile: " + setup.configFile().string() +
                    "\n  appendToConfig: \"greeter:\\n  patience: whenever\"\n");
  auto host = setup.start();
  CHECK(host->waitExit().value_or(-1) == 78);
  CHECK(has(host->output(), "greeter.patience: expected a duration"));
}
