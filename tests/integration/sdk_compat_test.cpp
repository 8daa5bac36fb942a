// SDK compatibility across minor versions: a plugin built against the previous minor
// version's headers (tests/fixtures/sdk_previous) loads into the current host and works,
// through every host-implemented interface it calls.
#include <doctest/doctest.h>
#include <orrery/version.hpp>

#include <string>

#include "http_client.hpp"
#include "running_host.hpp"

TEST_CASE("a plugin built against the previous SDK minor version loads and works in the current host") {
  harness::RunningHost host;
  host.setup.addFixture("previous_sdk");
  host.setup.writeConfig("security:\n  enabled: false\n");
  host.start();
  CHECK_MESSAGE(host.process->find("plugin previous_sdk standard 1.0.0: available (built against an older SDK)") !=
                    std::string::npos,
                host.process->output());

  const auto ping = harness::HttpClient(host.port).get("/api/previous_sdk/ping");
  REQUIRE_MESSAGE(ping.status == 200, ping.body);
  const auto body = ping.json();
  // The fixture must be exactly one minor version behind, or it proves nothing.
  const std::string previous = std::to_string(ORRERY_SDK_VERSION_MAJOR) + "." +
                               std::to_string(ORRERY_SDK_VERSION_MINOR - 1) + ".";
  CHECK_MESSAGE(body["sdk"].get<std::string>().starts_with(previous),
                "tests/fixtures/sdk_previous holds SDK " << body["sdk"] << " headers, not " << previous
                                                         << "x: refresh it (see its README.md)");
  CHECK(body["greeting"] == "hello from the blocking pool");
  CHECK(body["slept"] == true);
  CHECK(body["stored"] == R"({"a":1})");
  CHECK(body["posted"] == true);
  CHECK(body["provided"] == true);
  host.stop();
}
