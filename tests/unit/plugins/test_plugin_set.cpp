// PluginSet: fixture plugins run through load, setup, start and stop over the real host
// services — status changes, contracts between plugins, failure isolation, stop order
// and the stop() guarantee.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../fixtures/contracts/greeter_contract.hpp"
#include "core/plugins/deadline_runner.hpp"
#include "core/plugins/graph.hpp"
#include "core/plugins/plugin_set.hpp"
#include "runtime_support.hpp"

using namespace orrery::plugins;
using namespace orrery::plugins::test;
using Status = orrery::status::PluginState;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s;

bool isMapped(const fs::path& library) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOLOAD | RTLD_LAZY);
  if (handle == nullptr) return false;
  ::dlclose(handle);
  return true;
}

// The host's side of one plugin set: services, graph, set; shut down in the host's order.
struct SetFixture {
  TestHost host;
  DeadlineRunner runner;
  std::optional<PluginGraph> graph;
  std::unique_ptr<PluginSet> set;
  bool shutDown = false;

  // Writes the manifests, plans the graph, registers every plugin's status like the
  // host does, and loads the libraries.
  void plan(const std::vector<ManifestSpec>& specs, const std::set<std::string>& disabled = {}) {
    std::vector<Manifest> manifests;
    for (const auto& spec : specs) manifests.push_back(writeManifest(host.dir.path(), spec));
    auto built = PluginGraph::build(std::move(manifests), disabled);
    if (auto* errors = std::get_if<std::vector<GraphError>>(&built)) {
      std::string text;
      for (const auto& error : *errors) text += error.message + "\n";
      FAIL("graph refused: " << text);
    }
    graph.emplace(std::get<PluginGraph>(std::move(built)));
    for (const auto& entry : graph->entries()) {
      const auto& m = entry.manifest;
      host.status.registerPlugin(m.id, std::string(pluginTypeName(m.type)), m.version.toString(),
                                 graph->requiredOf(m.id));
      if (!entry.enabled()) {
        host.status.setState(m.id, disabled.count(m.id) ? Status::disabledInConfig : Status::disabled,
                             entry.reason);
      }
    }
    set = std::make_unique<PluginSet>(host.services, *graph, LifecycleSettings{kWait, 5s}, host.logging.get("plugins"),
                                      runner);
    for (const auto& entry : graph->entries()) set->add(entry.manifest);
    set->loadAll();
  }

  const PluginInstance& instance(const std::string& id) const {
    for (const auto& instance : set->instances()) {
      if (instance.manifest->id == id) return instance;
    }
    FAIL("no instance " << id);
    throw std::logic_error("unreachable");
  }

  orrery::status::PluginStatus status(const std::string& id) const {
    auto status = host.status.plugin(id);
    REQUIRE_MESSAGE(status.has_value(), "no status for " << id);
    return *status;
  }

  // Waits until the plugin's posted work (e.g. a withContext handler) has run.
  void drain(const std::string& id) const {
    const auto& runtime = instance(id).runtime;
    REQUIRE(runtime != nullptr);
    REQUIRE(runtime->drain(std::chrono::steady_clock::now() + kWait));
  }

  // As the host shuts down: stop, then threads, registries, plugin objects, libraries.
  void shutdown() {
    if (shutDown || !set) return;
    shutDown = true;
    set->stopAll();
    host.pool.stop();
    host.apis.clear();
    set->release();
  }

  ~SetFixture() { shutdown(); }
};

int count(const TestHost& host, const std::string& logger, const std::string& part) {
  int n = 0;
  for (const auto& record : host.records()) {
    if (record.value("log.logger", "") == logger && contains(record.value("message", ""), part)) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("greeter and greeter_client: setup, start and stop change their status") {
  SetFixture f;
  f.plan({{"greeter", fixtureLibrary("greeter")}, {"greeter_client", fixtureLibrary("greeter_client"), {"greeter"}}});
  CHECK(name(f.status("greeter").state) == name(Status::pending));
  CHECK(name(f.status("greeter_client").state) == name(Status::pending));

  f.set->setupAll();
  CHECK(name(f.status("greeter").state) == name(Status::setUp));
  CHECK(name(f.status("greeter_client").state) == name(Status::setUp));
  CHECK(f.instance("greeter").state == PluginInstance::State::setUp);
  CHECK(f.host.logged("plugins.greeter", "greeter set up with greeting Hello"));  // config defaults applied

  // The client got the greeter's contract by type during its setup.
  CHECK(f.host.logged("plugins.greeter_client", "client got: Hello, client"));
  // Its withContext handler ran on its executors once greeter.api was provided.
  f.drain("greeter_client");
  CHECK(f.host.logged("plugins.greeter_client", "context handler got greeting Hello"));

  f.set->startAll();
  CHECK(name(f.status("greeter").state) == name(Status::started));
  CHECK(name(f.status("greeter_client").state) == name(Status::started));
  CHECK(name(f.host.status.snapshot().overall) == name(orrery::ServiceLevel::available));
  CHECK(f.host.logged("plugins.greeter", "greeter started"));

  f.set->stopAll();
  CHECK(name(f.status("greeter").state) == name(Status::stopped));
  CHECK(name(f.status("greeter_client").state) == name(Status::stopped));
  CHECK(f.host.logged("plugins.greeter_client", "greeter_client stopping"));
  CHECK(f.set->contractOf("greeter", Stage::setup).empty());  // no longer running

  // Released in order, and the client's library stays mapped after (RTLD_NODELETE): code
  // a plugin handed to another one may outlive everything the host counts.
  CHECK(isMapped(fixtureLibrary("greeter_client")));
  f.shutdown();
  CHECK(isMapped(fixtureLibrary("greeter_client")));
}

TEST_CASE("contractOf returns the contract a running plugin exposed") {
  SetFixture f;
  f.plan({{"greeter", fixtureLibrary("greeter")}});
  CHECK(f.set->contractOf("greeter", Stage::setup).empty());  // not set up yet
  f.set->setupAll();
  const auto contract = f.set->contractOf("greeter", Stage::setup);
  REQUIRE_FALSE(contract.empty());
  CHECK(contract.id() == "greeter.setup@1");
  CHECK(contract.as<fixtures::GreeterSetup>("plugin 'greeter'")->greet("test") == "Hello, test");
  CHECK_THROWS_AS((void)contract.as<fixtures::NotAGreeter>("plugin 'greeter'"), orrery::ContractError);
  CHECK(f.set->contractOf("greeter", Stage::start).empty());  // greeter exposes none at start
  CHECK(f.set->contractOf("nobody", Stage::setup).empty());
}

TEST_CASE("a dependency asked for under the wrong type fails the asking plugin only") {
  SetFixture f;
  f.plan({{"greeter", fixtureLibrary("greeter")}, {"wrong_contract", fixtureLibrary("wrong_contract"), {"greeter"}}});
  f.set->setupAll();
  const auto status = f.status("wrong_contract");
  CHECK(name(status.state) == name(Status::failed));
  CHECK(contains(status.reason, "greeter.setup@1"));
  CHECK(contains(status.reason, "not_a_greeter@1"));
  CHECK(name(f.status("greeter").state) == name(Status::setUp));
}

TEST_CASE("a plugin whose setup throws fails, and its dependents are disabled with the chain") {
  SetFixture f;
  f.plan({{"throws_in_setup", fixtureLibrary("throws_in_setup")},
          {"needs_thrower", fixtureLibrary("noop"), {"throws_in_setup"}},
          {"needs_needs", fixtureLibrary("noop"), {"needs_thrower"}},
          {"bystander", fixtureLibrary("noop")}});
  f.set->setupAll();

  const auto thrower = f.status("throws_in_setup");
  CHECK(name(thrower.state) == name(Status::failed));
  CHECK(name(thrower.level) == name(orrery::ServiceLevel::unavailable));
  CHECK(contains(thrower.reason, "setup threw: the fixture refuses to set up"));
  CHECK(f.instance("throws_in_setup").state == PluginInstance::State::failed);
  CHECK(f.host.logged("plugins", "plugin throws_in_setup failed"));

  const auto dependent = f.status("needs_thrower");
  CHECK(name(dependent.state) == name(Status::disabled));
  CHECK(contains(dependent.reason, "needs_thrower disabled: requires throws_in_setup, which failed"));
  CHECK(contains(dependent.reason, "the fixture refuses to set up"));
  CHECK(name(f.status("needs_needs").state) == name(Status::disabled));
  CHECK(contains(f.status("needs_needs").reason, "requires needs_thrower, which requires throws_in_setup"));
  CHECK_FALSE(f.graph->isEnabled("needs_thrower"));
  CHECK_FALSE(f.host.logged("plugins.needs_thrower", "set up"));  // never set up

  CHECK(name(f.status("bystander").state) == name(Status::setUp));
  f.set->startAll();
  CHECK(name(f.status("bystander").state) == name(Status::started));
  CHECK(name(f.status("needs_thrower").state) == name(Status::disabled));
  f.set->stopAll();
  CHECK(name(f.status("bystander").state) == name(Status::stopped));
  CHECK(name(f.status("throws_in_setup").state) == name(Status::failed));
}

TEST_CASE("a library that cannot be loaded fails at load, and disables its dependents") {
  SetFixture f;
  f.plan({{"abi_mismatch", fixtureLibrary("abi_mismatch")}, {"needs_abi", fixtureLibrary("noop"), {"abi_mismatch"}}});
  CHECK(name(f.status("abi_mismatch").state) == name(Status::failed));
  CHECK(contains(f.status("abi_mismatch").reason, "ABI mismatch"));
  CHECK(name(f.status("needs_abi").state) == name(Status::disabled));
  f.set->setupAll();
  CHECK(name(f.status("needs_abi").state) == name(Status::disabled));
  CHECK(f.instance("needs_abi").state == PluginInstance::State::disabled);
}

TEST_CASE("a plugin disabled in config is never loaded or set up") {
  SetFixture f;
  f.plan({{"greeter", fixtureLibrary("greeter")}, {"quiet", fixtureLibrary("noop")}}, {"quiet"});
  CHECK(f.instance("quiet").library.library == nullptr);
  f.set->setupAll();
  CHECK(name(f.status("quiet").state) == name(Status::disabledInConfig));
  CHECK(f.instance("quiet").state == PluginInstance::State::disabled);
  CHECK(name(f.status("greeter").state) == name(Status::setUp));
}

TEST_CASE("stop runs in the reverse order of setup") {
  SetFixture f;
  // Dependencies decide the order, not the ids: zeta, then alpha, then mid.
  f.plan({{"alpha", fixtureLibrary("noop"), {"zeta"}},
          {"mid", fixtureLibrary("noop"), {"alpha"}},
          {"zeta", fixtureLibrary("noop")}});
  f.set->setupAll();
  f.set->startAll();
  f.set->stopAll();

  const int zetaUp = f.host.find("plugins.zeta", "zeta set up");
  const int alphaUp = f.host.find("plugins.alpha", "alpha set up");
  const int midUp = f.host.find("plugins.mid", "mid set up");
  const int midDown = f.host.find("plugins.mid", "stopping");
  const int alphaDown = f.host.find("plugins.alpha", "stopping");
  const int zetaDown = f.host.find("plugins.zeta", "stopping");
  REQUIRE(zetaUp >= 0);
  REQUIRE(zetaDown >= 0);
  CHECK(zetaUp < alphaUp);
  CHECK(alphaUp < midUp);
  CHECK(midUp < midDown);
  CHECK(midDown < alphaDown);
  CHECK(alphaDown < zetaDown);
}

TEST_CASE("stop() is not called for a plugin whose setup threw") {
  SetFixture f;
  f.plan({{"probe_ok", unitLibrary("lifecycle_probe")},
          {"probe_throws_in_setup", unitLibrary("lifecycle_probe")}});
  f.set->setupAll();
  CHECK(f.host.logged("plugins.probe_throws_in_setup", "probe setup"));  // its setup did run
  CHECK(name(f.status("probe_throws_in_setup").state) == name(Status::failed));
  CHECK(f.instance("probe_throws_in_setup").needsStop == false);
  f.set->startAll();
  f.set->stopAll();
  CHECK(count(f.host, "plugins.probe_ok", "probe stop") == 1);
  CHECK(count(f.host, "plugins.probe_throws_in_setup", "probe stop") == 0);
  CHECK(count(f.host, "plugins.probe_throws_in_setup", "probe start") == 0);
}

TEST_CASE("a plugin set up before its dependency failed keeps its stop() call, exactly once") {
  SetFixture f;
  f.plan({{"base_throws_in_start", unitLibrary("lifecycle_probe")},
          {"user", unitLibrary("lifecycle_probe"), {"base_throws_in_start"}}});
  f.set->setupAll();
  CHECK(name(f.status("user").state) == name(Status::setUp));
  f.set->startAll();

  CHECK(name(f.status("base_throws_in_start").state) == name(Status::failed));
  CHECK(contains(f.status("base_throws_in_start").reason, "start threw: probe start failed on purpose"));
  CHECK(name(f.status("user").state) == name(Status::disabled));
  CHECK(contains(f.status("user").reason, "requires base_throws_in_start, which failed"));
  CHECK(count(f.host, "plugins.user", "probe start") == 0);  // disabled before its start

  f.set->stopAll();
  f.set->stopAll();  // a second stopAll calls nothing again
  CHECK(count(f.host, "plugins.user", "probe stop") == 1);
  CHECK(count(f.host, "plugins.base_throws_in_start", "probe stop") == 1);  // its setup succeeded
  CHECK(f.host.find("plugins.user", "probe stop") < f.host.find("plugins.base_throws_in_start", "probe stop"));
}
