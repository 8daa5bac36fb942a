// Plugin lifetime through the real binary, with the `registrations` fixture: code a
// plugin hands into other plugins' contracts (a task type's runner factory and runners
// in task_manager, a search strategy in data) never outlives its library, and what a
// plugin that fails had registered (routes, task types, strategies) is withdrawn.
#include <csignal>
#include <doctest/doctest.h>

#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"

using harness::HttpClient;
using harness::RunningHost;

namespace {

constexpr const char* kQuiet = "security:\n  enabled: false\nlogging:\n  loggers:\n    http.access: warn\n";

harness::HttpResult searchWith(std::uint16_t port, const std::string& strategy) {
  return HttpClient(port).send("POST", "/internal/search/" + strategy, R"({"params":{"index":"any","body":{}}})",
                               {{"Content-Type", "application/json"}});
}

// No sanitizer report and no crash: the output is what a clean run leaves.
void checkClean(const std::string& output) {
  CHECK_MESSAGE(output.find("AddressSanitizer") == std::string::npos, output);
  CHECK_MESSAGE(output.find("runtime error:") == std::string::npos, output);
  CHECK_MESSAGE(output.find("LeakSanitizer") == std::string::npos, output);
}

}  // namespace

TEST_CASE("a host stops cleanly while task_manager and data still hold code a stopped plugin registered") {
  // The fixture stops and is released before task_manager and data (it depends on
  // them); task_manager still runs one of its runners then, and both keep its task type
  // and strategy until they are released. Unloading the fixture's library at its release
  // would leave them calling unmapped code: a crash, or an ASan report, at their stop.
  RunningHost host;
  host.setup.addFixture("registrations");
  host.setup.writeConfig(std::string(kQuiet) + "registrations:\n  scheduleTask: hanging\n" +
                         "task_manager:\n  pollInterval: 50ms\n");
  host.start();
  REQUIRE_MESSAGE(host.process->waitForOutput("registrations task hanging runs until cancelled"),
                  host.process->output());
  const auto searched = searchWith(host.port, "registrations");
  REQUIRE_MESSAGE(searched.status == 200, searched.body);
  CHECK(searched.json()["rawResponse"]["plugin"] == "registrations");

  host.process->signal(SIGTERM);
  const int code = host.process->waitExit().value_or(-1);
  const auto output = host.process->output();
  host.process.reset();
  CHECK_MESSAGE(code == 0, output);
  CHECK(output.find("stopped in") != std::string::npos);
  checkClean(output);
}

TEST_CASE("a plugin that fails in setup after registering has its route, task type and strategy withdrawn") {
  // `first` registers everything then throws; `second` (after it: it lists it as an
  // optional plugin) registers the same route path, task type and strategy name, which
  // it can only do once the first one's are gone — and then they are its own.
  RunningHost host;
  host.setup.addFixture("registrations", {{"id", "first"}});
  host.setup.addFixture("registrations", {{"id", "second"}, {"optionalPlugins", nlohmann::json::array({"first"})}});
  host.setup.writeConfig(std::string(kQuiet) + "first:\n  failIn: setup\nsecond:\n  scheduleTask: once\n" +
                         "task_manager:\n  pollInterval: 50ms\n");
  host.start();
  const auto& output = host.process->output();
  CHECK_MESSAGE(output.find("plugin first failed: setup threw: the fixture fails after registering") !=
                    std::string::npos,
                output);
  CHECK_MESSAGE(output.find("plugin first: withdrew its 1 route(s)") != std::string::npos, output);
  CHECK_MESSAGE(output.find("second registered a route, a task type and a search strategy") != std::string::npos,
                output);

  const auto ping = HttpClient(host.port).get("/api/registrations/ping");
  REQUIRE_MESSAGE(ping.status == 200, ping.body);
  CHECK(ping.json()["plugin"] == "second");
  const auto searched = searchWith(host.port, "registrations");
  REQUIRE_MESSAGE(searched.status == 200, searched.body);
  CHECK(searched.json()["rawResponse"]["plugin"] == "second");
  REQUIRE_MESSAGE(host.process->waitForOutput("second ran task once"), host.process->output());
  CHECK(host.process->count("first ran task") == 0);
  host.stop();
}

TEST_CASE("a plugin that fails in start has what it registered in setup withdrawn") {
  RunningHost host;
  host.setup.addFixture("registrations");
  host.setup.writeConfig(std::string(kQuiet) + "registrations:\n  failIn: start\n");
  host.start();
  CHECK_MESSAGE(host.process->find("plugin registrations failed: start threw") != std::string::npos,
                host.process->output());

  // The strategy: data no longer knows it.
  const auto searched = searchWith(host.port, "registrations");
  CHECK_MESSAGE(searched.status == 404, searched.body);
  CHECK(searched.body.find("Search strategy [registrations] not found") != std::string::npos);
  // The task type: task_manager no longer lists it.
  const auto health = HttpClient(host.port).get("/api/task_manager/_health");
  REQUIRE_MESSAGE(health.status == 200, health.body);
  CHECK_MESSAGE(!health.json()["stats"]["workload"]["task_types"].contains("registrations:run"), health.body);
  // The route: not served.
  CHECK(HttpClient(host.port).get("/api/registrations/ping").status == 404);
  host.stop();
}
