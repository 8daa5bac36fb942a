// The task manager through the real binary: runs and the health API over HTTP, a task
// reclaimed after its host was killed with SIGKILL mid-run, and two hosts sharing one
// store running each task exactly once.
#include <csignal>
#include <doctest/doctest.h>

#include "host_setup.hpp"
#include "http_client.hpp"

// `prefix` then `n`, built by append: g++ 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text.append(std::to_string(n));
  return text;
}

using harness::HostSetup;
using harness::HttpClient;

namespace {

// A host with the task_types fixture, security off, a fast poll and a given store file.
struct TaskHost {
  TaskHost(HostSetup& setup, const std::string& owner, const std::filesystem::path& store) : setup_(setup) {
    setup.writeConfig("security:\n  enabled: false\nstorage:\n  path: " + store.string() +
                      "\ntask_manager:\n  pollInterval: 50ms\n  ownerId: " + owner +
                      "\nlogging:\n  loggers:\n    plugins.task_manager: debug\n"
                      // Only the fixture's tasks: async_search would schedule its cleanup.
                      "plugins:\n  async_search:\n    enabled: false\n");
    process = setup.start();
    REQUIRE_MESSAGE(process->waitForOutput("orrery ready in"), process->output());
    port = harness::listeningPort(*process);
  }
  ~TaskHost() {
    if (!killed) {
      process->signal(SIGTERM);
      process->waitExit();
    }
  }
  void schedule(const std::string& id, const std::string& query = "type=fixture:noop") {
    const auto result = HttpClient(port).send("POST", "/api/fixture_tasks/" + id + "?" + query);
    REQUIRE_MESSAGE(result.status == 200, result.body);
  }

  HostSetup& setup_;
  std::unique_ptr<harness::ChildProcess> process;
  std::uint16_t port = 0;
  bool killed = false;
};

}  // namespace

TEST_CASE("task manager: tasks run in the real host and the health API reports them") {
  HostSetup setup;
  setup.addFixture("task_types");
  TaskHost host(setup, "host-a", setup.root() / "store.db");
  for (const auto* id : {"a", "b", "c"}) host.schedule(id);
  host.schedule("rec", "type=fixture:noop&interval=1h");
  // The outcome is written (and counted) after the run's own log line.
  for (const auto* id : {"a", "b", "c", "rec"}) {
    REQUIRE_MESSAGE(host.process->waitForOutput(std::string("task '") + id + "': outcome written"),
                    host.process->output());
  }
  // Invalid schedules are refused with the part at fault, which the route passes on.
  const auto bad = HttpClient(host.port).send("POST", "/api/fixture_tasks/bad?type=fixture:noop&interval=0s");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("interval '0s': must be greater than zero") != std::string::npos);

  const auto health = HttpClient(host.port).get("/api/task_manager/_health");
  REQUIRE_MESSAGE(health.status == 200, health.body);
  const auto body = health.json();
  CHECK(body["id"] == "host-a");
  CHECK(body["status"] == "OK");
  const auto& stats = body["stats"];
  CHECK(stats["configuration"]["capacity"] == 10);
  CHECK(stats["configuration"]["poll_interval_ms"] == 50);
  CHECK(stats["workload"]["count"] == 1);  // the recurring one stays
  CHECK(stats["workload"]["recurring"] == 1);
  CHECK(stats["runtime"]["result_frequency_percent"]["fixture:noop"]["success"] == 100.0);
  CHECK(stats["runtime"]["result_frequency_percent"]["fixture:noop"]["runs"] == 4);
  CHECK(stats["runtime"]["last_successful_poll"].is_string());
  CHECK(stats["capacity_estimation"]["observed_throughput_per_minute"] == 4.0);
}

TEST_CASE("task manager: a task whose host was killed mid-run is claimed again after its retryAt") {
  HostSetup setup;
  setup.addFixture("task_types");
  const auto store = setup.root() / "store.db";
  {
    TaskHost first(setup, "host-a", store);
    first.schedule("orphan", "type=fixture:hang");
    REQUIRE_MESSAGE(first.process->waitForOutput("fixture task orphan hangs"), first.process->output());
    first.process->signal(SIGKILL);
    first.process->waitExit();
    first.killed = true;
  }
  TaskHost second(setup, "host-b", store);
  // The lease is 2 s timeout + 2 polls + 1 s: the second host takes over after it.
  REQUIRE_MESSAGE(second.process->waitForOutput("fixture task orphan ran", std::chrono::seconds(30)),
                  second.process->output());
  CHECK(second.process->count("fixture task orphan ran") == 1);
}

TEST_CASE("task manager: two hosts on one store run each task exactly once") {
  HostSetup setupA;
  HostSetup setupB;
  setupA.addFixture("task_types");
  setupB.addFixture("task_types");
  const auto store = setupA.root() / "shared.db";
  TaskHost a(setupA, "host-a", store);
  TaskHost b(setupB, "host-b", store);
  constexpr int kTasks = 60;
  for (int i = 0; i < kTasks; ++i) (i % 2 == 0 ? a : b).schedule(numbered("t", i));
  for (int i = 0; i < kTasks; ++i) {
    const std::string line = numbered("fixture task t", i) + " ran";
    // Wait on whichever host ran it.
    bool seen = false;
    for (int round = 0; round < 200 && !seen; ++round) {
      seen = a.process->count(line) + b.process->count(line) > 0 ||
             a.process->waitForOutput(line, std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(seen, line);
  }
  int twice = 0;
  for (int i = 0; i < kTasks; ++i) {
    const std::string line = numbered("fixture task t", i) + " ran";
    twice += a.process->count(line) + b.process->count(line) != 1;
  }
  CHECK(twice == 0);
}
