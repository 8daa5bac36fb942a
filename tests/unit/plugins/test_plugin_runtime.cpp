// PluginRuntime: one plugin's share of the host as its contexts expose it — typed
// dependency contracts, exposed contracts, status, executors, stop token, lifecycle
// context and preboot holds — over the real host services.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "../../fixtures/contracts/greeter_contract.hpp"
#include "core/config/plugin_config.hpp"
#include "core/plugins/plugin_runtime.hpp"
#include "runtime_support.hpp"

using namespace orrery::plugins;
using namespace orrery::plugins::test;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s;

struct LocalGreeter final : fixtures::GreeterSetup, fixtures::GreetingApi {
  std::string greet(std::string_view name) const override { return "Hi, " + std::string(name); }
  std::string greeting() const override { return "Hi"; }
};

Manifest clientManifest() {
  Manifest manifest;
  manifest.id = "client";
  manifest.requiredPlugins = {"greeter"};
  manifest.optionalPlugins = {"extra"};
  manifest.configPath = "client";
  manifest.library = "client.so";
  manifest.file = "client.json";
  return manifest;
}

// A runtime for plugin "client" (requires greeter, optionally extra) whose dependency
// lookup serves `contracts` and records the stages asked for.
struct RuntimeFixture {
  TestHost host;
  Manifest manifest = clientManifest();
  orrery::ConfigSchema schema;
  std::shared_ptr<int> library = std::make_shared<int>(0);  // stands in for the plugin's library
  std::map<std::string, orrery::AnyContract> contracts;
  std::vector<Stage> asked;
  std::unique_ptr<PluginRuntime> runtime;

  RuntimeFixture() {
    host.status.registerPlugin("client", "standard", "1.0.0", {"greeter"});
    host.status.setState("client", orrery::status::PluginState::started);
    runtime = std::make_unique<PluginRuntime>(
        host.services, manifest, library,
        std::make_unique<orrery::config::JsonPluginConfig>(schema, nlohmann::json::object(), "client"),
        [this](const std::string& id, Stage stage) {
          asked.push_back(stage);
          auto it = contracts.find(id);
          return it == contracts.end() ? orrery::AnyContract() : it->second;
        });
  }
  ~RuntimeFixture() {
    host.pool.stop();
    host.apis.clear();
    runtime.reset();
  }
};

}  // namespace

TEST_CASE("a required dependency's contract is obtained by type, for the context's stage") {
  RuntimeFixture f;
  f.contracts["greeter"] = orrery::AnyContract::of<fixtures::GreeterSetup>(std::make_shared<LocalGreeter>());
  CHECK(f.runtime->setupContext()->plugin<fixtures::GreeterSetup>("greeter")->greet("you") == "Hi, you");
  CHECK(f.runtime->startContext()->plugin<fixtures::GreeterSetup>("greeter")->greet("me") == "Hi, me");
  CHECK(f.asked == std::vector<Stage>{Stage::setup, Stage::start});
}

TEST_CASE("asking for a dependency under the wrong type throws naming both contracts") {
  RuntimeFixture f;
  f.contracts["greeter"] = orrery::AnyContract::of<fixtures::GreeterSetup>(std::make_shared<LocalGreeter>());
  try {
    (void)f.runtime->setupContext()->plugin<fixtures::NotAGreeter>("greeter");
    FAIL("the wrong type was accepted");
  } catch (const orrery::ContractError& e) {
    CHECK(contains(e.what(), "greeter.setup@1"));
    CHECK(contains(e.what(), "not_a_greeter@1"));
    CHECK(contains(e.what(), "greeter"));
  }
}

TEST_CASE("asking for an undeclared dependency throws naming it") {
  RuntimeFixture f;
  f.contracts["stranger"] = orrery::AnyContract::of<fixtures::GreeterSetup>(std::make_shared<LocalGreeter>());
  auto ctx = f.runtime->setupContext();
  SUBCASE("required") {
    try {
      (void)ctx->plugin<fixtures::GreeterSetup>("stranger");
      FAIL("an undeclared dependency was served");
    } catch (const orrery::ContractError& e) {
      CHECK(contains(e.what(), "'stranger'"));
      CHECK(contains(e.what(), "'client'"));
      CHECK(contains(e.what(), "requiredPlugins"));
    }
  }
  SUBCASE("an optional one asked for as required") {
    CHECK_THROWS_AS((void)ctx->plugin<fixtures::GreeterSetup>("extra"), orrery::ContractError);
  }
  SUBCASE("a required one asked for as optional") {
    try {
      (void)ctx->optionalPlugin<fixtures::GreeterSetup>("greeter");
      FAIL("a required dependency was served as optional");
    } catch (const orrery::ContractError& e) {
      CHECK(contains(e.what(), "'greeter'"));
      CHECK(contains(e.what(), "optionalPlugins"));
    }
  }
  CHECK(f.asked.empty());  // refused before any lookup
}

TEST_CASE("a dependency that exposed nothing: required throws, optional is null") {
  RuntimeFixture f;
  auto ctx = f.runtime->setupContext();
  try {
    (void)ctx->plugin<fixtures::GreeterSetup>("greeter");
    FAIL("a missing contract was served");
  } catch (const orrery::ContractError& e) {
    CHECK(contains(e.what(), "'greeter' exposed no setup contract"));
  }
  CHECK(ctx->optionalPlugin<fixtures::GreeterSetup>("extra") == nullptr);
  f.contracts["extra"] = orrery::AnyContract::of<fixtures::GreeterSetup>(std::make_shared<LocalGreeter>());
  CHECK(ctx->optionalPlugin<fixtures::GreeterSetup>("extra") != nullptr);
}

TEST_CASE("expose: once per stage, kept with the plugin's library") {
  RuntimeFixture f;
  std::weak_ptr<int> watchLibrary = f.library;
  auto greeter = std::make_shared<LocalGreeter>();
  f.runtime->setupContext()->expose<fixtures::GreeterSetup>(greeter);
  CHECK(f.runtime->exposed(Stage::setup).id() == "greeter.setup@1");
  CHECK(f.runtime->exposed(Stage::start).empty());
  CHECK(f.runtime->exposed(Stage::preboot).empty());
  CHECK(f.runtime->exposed(Stage::setup).as<fixtures::GreeterSetup>("x")->greet("a") == "Hi, a");

  try {
    f.runtime->setupContext()->expose<fixtures::GreeterSetup>(greeter);
    FAIL("a second setup contract was accepted");
  } catch (const orrery::ContractError& e) {
    CHECK(contains(e.what(), "client"));
    CHECK(contains(e.what(), "twice"));
  }
  CHECK_THROWS_AS(f.runtime->startContext()->expose<fixtures::GreeterSetup>(nullptr), orrery::ContractError);
  f.runtime->startContext()->expose<fixtures::GreeterSetup>(greeter);
  CHECK_FALSE(f.runtime->exposed(Stage::start).empty());

  // A dependent still holding the contract keeps the library after the runtime is gone.
  auto held = f.runtime->exposed(Stage::setup);
  f.runtime.reset();
  f.library.reset();
  CHECK_FALSE(watchLibrary.expired());
  held = orrery::AnyContract();
  CHECK(watchLibrary.expired());
}

TEST_CASE("the contexts hand out the plugin's own services") {
  RuntimeFixture f;
  auto ctx = f.runtime->setupContext();
  CHECK(ctx->pluginId() == "client");
  CHECK(ctx->logger().name() == "plugins.client");
  CHECK(&ctx->logger() == &f.runtime->logger());
  CHECK(ctx->dataPath() == f.host.dir.path() / "data");
  CHECK(&ctx->executors() == &f.runtime->executors());
  CHECK(&f.runtime->startContext()->lifecycle() == &ctx->lifecycle());
  ctx->logger().info("hello from client");
  CHECK(f.host.logged("plugins.client", "hello from client"));
}

TEST_CASE("status reports reach the status service and are logged once") {
  RuntimeFixture f;
  auto ctx = f.runtime->startContext();
  ctx->status().report(orrery::ServiceLevel::degraded, "index rebuilding");
  ctx->status().report(orrery::ServiceLevel::degraded, "index rebuilding");
  auto status = f.host.status.plugin("client");
  REQUIRE(status.has_value());
  CHECK(name(status->level) == name(orrery::ServiceLevel::degraded));
  CHECK(status->summary == "index rebuilding");
  int lines = 0;
  for (const auto& record : f.host.records()) {
    if (record.value("log.logger", "") == "plugins.client" && contains(record.value("message", ""), "index rebuilding")) {
      ++lines;
      CHECK(record["log.level"] == "warn");
    }
  }
  CHECK(lines == 1);
}

TEST_CASE("a task that throws marks the plugin degraded with the reason") {
  RuntimeFixture f;
  f.runtime->executors().post([] { throw std::runtime_error("task blew up"); });
  REQUIRE(f.runtime->drain(std::chrono::steady_clock::now() + kWait));
  auto status = f.host.status.plugin("client");
  REQUIRE(status.has_value());
  CHECK(name(status->level) == name(orrery::ServiceLevel::degraded));
  CHECK(contains(status->summary, "a task threw: task blew up"));
  CHECK(f.host.logged("plugins.client", "a task threw: task blew up"));
  CHECK(f.host.poolErrors.load() == 0);  // attributed to the plugin, not the host
}

TEST_CASE("cancel() cancels the stop token the contexts hand out") {
  RuntimeFixture f;
  auto token = f.runtime->setupContext()->stopToken();
  CHECK_FALSE(token.cancelled());
  int calls = 0;
  auto registration = token.onCancel([&calls] { ++calls; });
  f.runtime->cancel();
  CHECK(calls == 1);
  CHECK(token.cancelled());
  CHECK(f.runtime->startContext()->stopToken().cancelled());
}

TEST_CASE("drain waits for the plugin's posted work") {
  RuntimeFixture f;
  std::promise<void> release;
  auto gate = release.get_future().share();
  f.runtime->executors().post([gate] { gate.wait_for(kWait); });
  CHECK_FALSE(f.runtime->drain(std::chrono::steady_clock::now() + 20ms));
  release.set_value();
  CHECK(f.runtime->drain(std::chrono::steady_clock::now() + kWait));
}

TEST_CASE("the lifecycle context: provide under the plugin's id, handlers on the plugin's executors") {
  RuntimeFixture f;
  std::weak_ptr<int> watchLibrary = f.library;
  auto ctx = f.runtime->setupContext();
  ctx->lifecycle().provide<fixtures::GreetingApi>("client.api", std::make_shared<LocalGreeter>());
  CHECK(ctx->lifecycle().isProvided("client.api"));
  CHECK(f.host.apis.isProvided("client.api"));

  // The registry names the provider in its refusal.
  try {
    f.host.apis.provide("other", "client.api", orrery::AnyContract::of<fixtures::GreetingApi>(std::make_shared<LocalGreeter>()));
    FAIL("a second provider was accepted");
  } catch (const orrery::ContractError& e) {
    CHECK(contains(e.what(), "'client'"));
  }

  std::promise<std::pair<std::thread::id, std::string>> ran;
  auto ranFuture = ran.get_future();
  ctx->lifecycle().withContext({"client.api"}, [&ran](const orrery::ProvidedApis& apis) {
    ran.set_value({std::this_thread::get_id(), apis.get<fixtures::GreetingApi>("client.api")->greeting()});
  });
  REQUIRE(ranFuture.wait_for(kWait) == std::future_status::ready);
  const auto [thread, greeting] = ranFuture.get();
  CHECK(thread != std::this_thread::get_id());  // posted, not run inline
  CHECK(greeting == "Hi");
  CHECK(f.runtime->drain(std::chrono::steady_clock::now() + kWait));

  // The provided API holds the plugin's library, even once the runtime is gone.
  f.runtime.reset();
  f.library.reset();
  CHECK_FALSE(watchLibrary.expired());
  f.host.apis.withdraw("client");
  CHECK(watchLibrary.expired());
}

TEST_CASE("preboot holds taken through the context are attributed to the plugin") {
  RuntimeFixture f;
  auto ctx = f.runtime->prebootContext();
  auto hold = ctx->preboot().holdSetupUntilResolved("waiting for the operator");
  CHECK(ctx->preboot().isSetupOnHold());
  CHECK(f.host.holds.pendingSetupHolds() == std::vector<std::string>{"client: waiting for the operator"});
  hold->resolve({});
  CHECK_FALSE(f.host.holds.isSetupOnHold());
}
