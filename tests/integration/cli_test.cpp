// The operator's command line: --help, --version, --list-plugins, bad options.
#include <doctest/doctest.h>
#include <orrery/version.hpp>

#include "host_setup.hpp"

using harness::ChildProcess;
using harness::HostSetup;

namespace {
bool has(const std::string& out, const std::string& text) { return out.find(text) != std::string::npos; }
}  // namespace

TEST_CASE("--help names every option and exits 0") {
  ChildProcess host(harness::orreryBinary(), {"--help"});
  CHECK(host.waitExit().value_or(-1) == 0);
  for (const char* option : {"--config", "--set", "--plugin-path", "--list-plugins", "--version"}) {
    CHECK_MESSAGE(has(host.output(), option), option);
  }
}

TEST_CASE("--version prints the host, SDK and ABI versions") {
  ChildProcess host(harness::orreryBinary(), {"--version"});
  CHECK(host.waitExit().value_or(-1) == 0);
  CHECK(has(host.output(), "orrery 0.1.0"));
  CHECK(has(host.output(), "plugin SDK " ORRERY_SDK_VERSION_STRING));
  CHECK(has(host.output(), "orrery-abi-1"));
}

TEST_CASE("an unknown option is a usage error (exit 64)") {
  ChildProcess host(harness::orreryBinary(), {"--frobnicate"});
  CHECK(host.waitExit().value_or(-1) == 64);
  CHECK(has(host.output(), "frobnicate"));
}

TEST_CASE("--list-plugins prints every plugin in start order with type, version and state, runs nothing") {
  HostSetup setup;
  setup.addFixture("greeter_client");
  setup.addFixture("greeter");
  setup.addFixture("preboot_holder");
  setup.addFixture("abi_mismatch");
  setup.addFixture("noop", {{"id", "orphan"}, {"requiredPlugins", {"absent"}}});
  setup.addFixture("noop", {{"id", "off"}});
  setup.writeConfig("plugins:\n  off:\n    enabled: false\n");
  ChildProcess host(harness::orreryBinary(), setup.arguments({"--list-plugins"}));
  CHECK(host.waitExit().value_or(-1) == 0);
  const auto out = host.output();
  CHECK(has(out, "ID"));
  // Preboot first, then dependency order.
  CHECK(out.find("preboot_holder") < out.find("greeter "));
  CHECK(out.find("greeter ") < out.find("greeter_client"));
  CHECK(has(out, "preboot "));
  CHECK(has(out, "1.0.0"));
  CHECK(has(out, "orphan disabled: requires missing absent"));
  CHECK(has(out, "off disabled: disabled in config"));
  CHECK(has(out, "fails to load: ABI mismatch"));
  CHECK(!has(out, "setup took"));
  CHECK(!has(out, "ready"));
}
