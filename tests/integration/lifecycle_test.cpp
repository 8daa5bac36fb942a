// The lifecycle through the real binary: order, typed contracts, the lifecycle context,
// failure isolation, deadlines, a clean stop, and the open-files limit it runs with.
#include <sys/resource.h>

#include <csignal>
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>
#include <string>

#include "host_setup.hpp"

using harness::HostSetup;

namespace {
// Stops the host with SIGTERM and returns its exit code.
int stopHost(harness::ChildProcess& host) {
  host.signal(SIGTERM);
  return host.waitExit().value_or(-1);
}
}  // namespace

TEST_CASE("a provider and a consumer: dependency order, typed contract, context API, reverse stop") {
  HostSetup setup;
  setup.addFixture("greeter_client");
  setup.addFixture("greeter");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->waitForOutput("context handler got greeting Hello"));
  CHECK(host->find("client got: Hello, client") != std::string::npos);
  CHECK(host->find("plugin greeter: setup took") < host->find("plugin greeter_client: setup took"));
  CHECK(host->find("plugin greeter: start took") < host->find("plugin greeter_client: start took"));
  CHECK(host->find("overall status: available") != std::string::npos);
  CHECK(stopHost(*host) == 0);
  const auto out = host->output();
  CHECK(host->find("greeter_client stopping") != std::string::npos);
  CHECK(host->find("plugin greeter_client: stop took") < host->find("plugin greeter: stop took"));
  CHECK(out.find("stopped in") != std::string::npos);
}

TEST_CASE("a plugin that throws in setup fails; the chain that requires it is disabled; the rest runs") {
  HostSetup setup;
  setup.addFixture("throws_in_setup");
  setup.addFixture("noop", {{"id", "needs_thrower"}, {"requiredPlugins", {"throws_in_setup"}}});
  setup.addFixture("noop", {{"id", "needs_needs"}, {"requiredPlugins", {"needs_thrower"}}});
  setup.addFixture("greeter");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("plugin throws_in_setup failed: setup threw: the fixture refuses to set up") != std::string::npos);
  CHECK(host->find("needs_thrower disabled: requires throws_in_setup, which failed: setup threw") != std::string::npos);
  CHECK(host->find("needs_needs disabled: requires needs_thrower, which requires throws_in_setup, which failed") !=
        std::string::npos);
  CHECK(host->find("plugin greeter: start took") != std::string::npos);
  CHECK(host->find("plugin needs_thrower: setup took") == std::string::npos);
  CHECK(host->find("overall status: unavailable") != std::string::npos);
  CHECK(stopHost(*host) == 0);
  // A plugin whose setup failed is never stopped.
  CHECK(host->find("plugin throws_in_setup: stop took") == std::string::npos);
}

TEST_CASE("a plugin that blocks forever in setup is abandoned at its deadline; the host reaches ready") {
  HostSetup setup;
  setup.addFixture("hangs_in_setup");
  setup.addFixture("noop", {{"id", "needs_hanger"}, {"requiredPlugins", {"hangs_in_setup"}}});
  setup.addFixture("greeter");
  auto host = setup.start({"--set", "plugins.lifecycle.timeout=600ms", "--set", "plugins.lifecycle.warnAfter=100ms"});
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("plugin hangs_in_setup: setup is still running after 100ms (deadline 600ms)") != std::string::npos);
  CHECK(host->find("plugin hangs_in_setup failed: setup overran its deadline: did not return within 600ms") !=
        std::string::npos);
  CHECK(host->find("needs_hanger disabled: requires hangs_in_setup, which failed") != std::string::npos);
  CHECK(host->find("plugin greeter: start took") != std::string::npos);
  CHECK(stopHost(*host) == 0);
}

TEST_CASE("asking for a dependency's contract under the wrong type fails that plugin with both identities") {
  HostSetup setup;
  setup.addFixture("greeter");
  setup.addFixture("wrong_contract");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("plugin wrong_contract failed: setup threw: plugin 'greeter' provides contract "
                   "'greeter.setup@1', not 'not_a_greeter@1'") != std::string::npos);
  CHECK(stopHost(*host) == 0);
}

TEST_CASE("work a plugin posts runs off the lifecycle; a task that throws degrades the plugin, not the host") {
  HostSetup setup;
  setup.addFixture("throws_in_task");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->waitForOutput("blocking work returned 42"));
  CHECK(host->waitForOutput("status degraded: a task threw: task failure from the fixture"));
  CHECK(stopHost(*host) == 0);
}

TEST_CASE("a missing required dependency disables the dependents with the whole chain") {
  HostSetup setup;
  setup.addFixture("noop", {{"id", "a"}, {"requiredPlugins", {"z"}}});
  setup.addFixture("noop", {{"id", "b"}, {"requiredPlugins", {"a"}}});
  setup.addFixture("noop", {{"id", "c"}, {"optionalPlugins", {"z"}}});
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("a disabled: requires missing z") != std::string::npos);
  CHECK(host->find("b disabled: requires a, which requires missing z") != std::string::npos);
  // A missing optional dependency disables nothing.
  CHECK(host->find("plugin c: start took") != std::string::npos);
  CHECK(stopHost(*host) == 0);
}

TEST_CASE("plugins.<id>.enabled: false disables a plugin and the plugins that require it") {
  HostSetup setup;
  setup.addFixture("greeter");
  setup.addFixture("greeter_client");
  setup.writeConfig("plugins:\n  greeter:\n    enabled: false\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("greeter disabled: disabled in config (plugins.greeter.enabled: false)") != std::string::npos);
  CHECK(host->find("greeter_client disabled: requires greeter, which is disabled in config") != std::string::npos);
  CHECK(host->find("plugin greeter: setup took") == std::string::npos);
  CHECK(stopHost(*host) == 0);
}

TEST_CASE("SIGINT stops the host cleanly too") {
  HostSetup setup;
  setup.addFixture("greeter");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  host->signal(SIGINT);
  CHECK(host->waitExit().value_or(-1) == 0);
  CHECK(host->find("plugin greeter: stop took") != std::string::npos);
}

TEST_CASE("the host raises its open-files soft limit to the hard limit it was given") {
  rlimit mine{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &mine) == 0);
  if (mine.rlim_max <= 256) {
    MESSAGE("hard limit " << mine.rlim_max << ": too low to lower the soft limit below it for this test");
    return;
  }
  // The host inherits a soft limit below the hard one (as under systemd's 1024:524288).
  rlimit lowered = mine;
  lowered.rlim_cur = 256;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  HostSetup setup;
  auto host = setup.start();
  REQUIRE(setrlimit(RLIMIT_NOFILE, &mine) == 0);  // this test process gets its own back
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  std::ifstream limits("/proc/" + std::to_string(host->pid()) + "/limits");
  std::string line;
  std::string soft, hard;
  while (std::getline(limits, line)) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream fields(line.substr(std::string_view("Max open files").size()));
    fields >> soft >> hard;
  }
  CHECK(soft == hard);
  CHECK(soft == (mine.rlim_max == RLIM_INFINITY ? std::string("unlimited") : std::to_string(mine.rlim_max)));
  CHECK(stopHost(*host) == 0);
}
