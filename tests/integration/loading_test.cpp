// Loading plugin libraries through the real binary: ABI and SDK checks, missing files,
// and shutdown with every library loaded.
#include <csignal>
#include <doctest/doctest.h>
#include <orrery/version.hpp>

#include "host_setup.hpp"

using harness::HostSetup;

TEST_CASE("a library with another ABI tag is refused before any of its code runs, naming both tags") {
  HostSetup setup;
  setup.addFixture("abi_mismatch");
  setup.addFixture("greeter");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("plugin abi_mismatch failed: ABI mismatch") != std::string::npos);
  CHECK(host->find("library has ABI tag 'orrery-abi-0;other-stdlib', host has 'orrery-abi-1;") != std::string::npos);
  CHECK(host->find("constructed a plugin with a mismatched ABI") == std::string::npos);
  CHECK(host->find("plugin greeter: start took") != std::string::npos);
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("a manifest that asks for an SDK this host does not provide is refused naming both versions") {
  HostSetup setup;
  setup.addFixture("noop", {{"sdkVersion", "^2.0.0"}});
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("plugin 'noop' requires SDK ^2.0.0 (manifest field 'sdkVersion'), but this host provides SDK " ORRERY_SDK_VERSION_STRING) !=
        std::string::npos);
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("a missing library file and a library without the export are clear errors; the host goes on") {
  HostSetup setup;
  setup.addFixture("noop", {{"id", "ghost"}, {"library", "nowhere.so"}});
  // A real shared object that is not a plugin: the C maths library.
  setup.addFixture("noop", {{"id", "not_a_plugin"},
                            {"library", setup.relativeToPlugins("/lib/x86_64-linux-gnu/libm.so.6")}});
  setup.addFixture("greeter");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("plugin ghost failed: library not found: " + (setup.pluginDir() / "nowhere.so").string()) !=
        std::string::npos);
  CHECK(host->find("plugin not_a_plugin failed: no 'orrery_plugin_v1' export in ") != std::string::npos);
  CHECK(host->find("libm.so.6 (plugin 'not_a_plugin'") != std::string::npos);
  CHECK(host->find("plugin greeter: start took") != std::string::npos);
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("a manifest whose type disagrees with the library is refused") {
  HostSetup setup;
  setup.addFixture("noop", {{"type", "preboot"}});
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->find("manifest declares a preboot plugin but the library exports a standard one") != std::string::npos);
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("shutdown with every fixture loaded and contracts held across libraries exits 0 (run under ASan)") {
  HostSetup setup;
  for (const char* name : {"greeter", "greeter_client", "wrong_contract", "throws_in_setup", "abi_mismatch",
                           "throws_in_task", "noop", "preboot_holder"}) {
    setup.addFixture(name);
  }
  setup.writeConfig("preboot_holder:\n  mode: reload\n  configFile: " + setup.configFile().string() +
                    "\n  appendToConfig: \"# reloaded\"\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->waitForOutput("context handler got greeting"));
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
  CHECK(host->find("ERROR: AddressSanitizer") == std::string::npos);
  CHECK(host->find("runtime error:") == std::string::npos);
}
