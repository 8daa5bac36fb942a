// PrebootHolds: setup and start holds, how they settle, the host's wait, and holds that
// outlive the service.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/preboot/preboot_holds.hpp"

using orrery::preboot::PrebootHolds;
using orrery::preboot::WaitResult;
using Kind = WaitResult::Kind;
using Lines = std::vector<std::string>;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs the host's wait on another thread and gives up (interrupting it) after kWait, so a
// broken wait fails the test instead of hanging it.
WaitResult waitBounded(PrebootHolds& holds, bool setup) {
  auto future = std::async(std::launch::async, [&holds, setup] {
    return setup ? holds.waitUntilCanSetup() : holds.waitUntilCanStart();
  });
  if (future.wait_for(kWait) != std::future_status::ready) {
    holds.interrupt();
    FAIL_CHECK("the wait did not return within the bound");
  }
  return future.get();
}

}  // namespace

TEST_CASE("no holds: the waits proceed at once") {
  PrebootHolds holds;
  CHECK_FALSE(holds.isSetupOnHold());
  CHECK_FALSE(holds.isStartOnHold());
  CHECK(waitBounded(holds, true).kind == Kind::proceed);
  CHECK(waitBounded(holds, false).kind == Kind::proceed);
}

TEST_CASE("a resolved setup hold lets setup proceed, with or without a config reload") {
  PrebootHolds holds;
  auto service = holds.serviceFor("setup_page");
  auto hold = service->holdSetupUntilResolved("waiting for the operator");
  CHECK(holds.isSetupOnHold());
  CHECK(service->isSetupOnHold());
  CHECK_FALSE(holds.isStartOnHold());

  bool reload = false;
  SUBCASE("without reload") { reload = false; }
  SUBCASE("with reload") { reload = true; }

  std::thread resolver([hold, reload] { hold->resolve({.reloadConfig = reload}); });
  const auto result = waitBounded(holds, true);
  resolver.join();
  CHECK(result.kind == Kind::proceed);
  CHECK(result.reloadConfig == reload);
  CHECK_FALSE(holds.isSetupOnHold());
  CHECK_FALSE(service->isSetupOnHold());
}

TEST_CASE("setup waits for every hold, of every plugin") {
  PrebootHolds holds;
  auto first = holds.serviceFor("first")->holdSetupUntilResolved("one");
  auto second = holds.serviceFor("second")->holdSetupUntilResolved("two");
  first->resolve({.reloadConfig = true});
  CHECK(holds.isSetupOnHold());
  CHECK(holds.pendingSetupHolds() == Lines{"second: two"});
  second->resolve({});
  const auto result = waitBounded(holds, true);
  CHECK(result.kind == Kind::proceed);
  CHECK(result.reloadConfig);  // any resolution asking for a reload counts
}

TEST_CASE("reject: the reason names the plugin and its hold") {
  PrebootHolds holds;
  auto hold = holds.serviceFor("setup_page")->holdSetupUntilResolved("waiting for the operator");
  auto other = holds.serviceFor("other")->holdSetupUntilResolved("still pending");

  SUBCASE("with a reason") {
    hold->reject("the operator cancelled");
    const auto result = waitBounded(holds, true);  // does not wait for `other`
    CHECK(result.kind == Kind::rejected);
    CHECK(contains(result.reason, "setup_page"));
    CHECK(contains(result.reason, "waiting for the operator"));
    CHECK(contains(result.reason, "the operator cancelled"));
    CHECK_FALSE(result.reloadConfig);
  }
  SUBCASE("without a reason") {
    hold->reject("");
    const auto result = waitBounded(holds, true);
    CHECK(result.kind == Kind::rejected);
    CHECK(contains(result.reason, "setup_page"));
    CHECK(contains(result.reason, "no reason given"));
  }
  other->resolve({});
}

TEST_CASE("dropping the last reference to an unresolved hold rejects it") {
  PrebootHolds holds;
  SUBCASE("setup") {
    auto hold = holds.serviceFor("forgetful")->holdSetupUntilResolved("never settled");
    auto copy = hold;
    hold.reset();
    CHECK(holds.isSetupOnHold());  // a reference is left
    copy.reset();
    CHECK_FALSE(holds.isSetupOnHold());
    const auto result = waitBounded(holds, true);
    CHECK(result.kind == Kind::rejected);
    CHECK(contains(result.reason, "forgetful"));
    CHECK(contains(result.reason, "never settled"));
    CHECK(contains(result.reason, "dropped without being resolved"));
  }
  SUBCASE("start") {
    holds.serviceFor("forgetful")->holdStartUntilResolved("never settled").reset();
    const auto result = waitBounded(holds, false);
    CHECK(result.kind == Kind::rejected);
    CHECK(contains(result.reason, "forgetful"));
    CHECK(contains(result.reason, "dropped without being resolved"));
  }
}

TEST_CASE("the first settlement wins") {
  PrebootHolds holds;
  auto service = holds.serviceFor("p");
  SUBCASE("resolve, then reject and drop: proceeds") {
    auto hold = service->holdSetupUntilResolved("h");
    hold->resolve({});
    hold->reject("too late");
    hold.reset();
    CHECK(waitBounded(holds, true).kind == Kind::proceed);
  }
  SUBCASE("reject, then resolve: rejected") {
    auto hold = service->holdSetupUntilResolved("h");
    hold->reject("first");
    hold->resolve({.reloadConfig = true});
    const auto result = waitBounded(holds, true);
    CHECK(result.kind == Kind::rejected);
    CHECK(contains(result.reason, "first"));
  }
  SUBCASE("reject twice: the first reason") {
    auto hold = service->holdStartUntilResolved("h");
    hold->reject("first");
    hold->reject("second");
    const auto result = waitBounded(holds, false);
    CHECK(result.kind == Kind::rejected);
    CHECK(contains(result.reason, "first"));
    CHECK_FALSE(contains(result.reason, "second"));
  }
  SUBCASE("resolve twice from two threads: one settlement") {
    auto hold = service->holdStartUntilResolved("h");
    std::thread a([hold] { hold->resolve(); });
    std::thread b([hold] { hold->resolve(); });
    a.join();
    b.join();
    CHECK(waitBounded(holds, false).kind == Kind::proceed);
  }
}

TEST_CASE("start holds are separate from setup holds and never ask for a reload") {
  PrebootHolds holds;
  auto service = holds.serviceFor("p");
  auto start = service->holdStartUntilResolved("warming up");
  CHECK(holds.isStartOnHold());
  CHECK(service->isStartOnHold());
  CHECK_FALSE(holds.isSetupOnHold());
  CHECK(waitBounded(holds, true).kind == Kind::proceed);
  CHECK(holds.pendingStartHolds() == Lines{"p: warming up"});
  CHECK(holds.pendingSetupHolds().empty());

  std::thread resolver([start] { start->resolve(); });
  const auto result = waitBounded(holds, false);
  resolver.join();
  CHECK(result.kind == Kind::proceed);
  CHECK_FALSE(result.reloadConfig);
  CHECK_FALSE(holds.isStartOnHold());
  CHECK(holds.pendingStartHolds().empty());
}

TEST_CASE("pending lines: one per unresolved hold, as plugin: reason") {
  PrebootHolds holds;
  auto a = holds.serviceFor("alpha")->holdSetupUntilResolved("first reason");
  auto b = holds.serviceFor("beta")->holdSetupUntilResolved("second reason");
  auto c = holds.serviceFor("alpha")->holdSetupUntilResolved("third reason");
  CHECK(holds.pendingSetupHolds() == Lines{"alpha: first reason", "beta: second reason", "alpha: third reason"});
  b->resolve({});
  CHECK(holds.pendingSetupHolds() == Lines{"alpha: first reason", "alpha: third reason"});
  a->resolve({});
  c->resolve({});
  CHECK(holds.pendingSetupHolds().empty());
}

TEST_CASE("interrupt wakes the waits with interrupted") {
  PrebootHolds holds;
  auto setupHold = holds.serviceFor("p")->holdSetupUntilResolved("forever");
  auto startHold = holds.serviceFor("p")->holdStartUntilResolved("forever");
  auto setupWait = std::async(std::launch::async, [&holds] { return holds.waitUntilCanSetup(); });
  auto startWait = std::async(std::launch::async, [&holds] { return holds.waitUntilCanStart(); });
  holds.interrupt();
  REQUIRE(setupWait.wait_for(kWait) == std::future_status::ready);
  REQUIRE(startWait.wait_for(kWait) == std::future_status::ready);
  CHECK(setupWait.get().kind == Kind::interrupted);
  CHECK(startWait.get().kind == Kind::interrupted);
  // Still interrupted for a later wait; the holds stay pending.
  CHECK(waitBounded(holds, true).kind == Kind::interrupted);
  CHECK(holds.isSetupOnHold());
  setupHold->resolve({});
  startHold->resolve();
}

TEST_CASE("holds and plugin services may outlive the PrebootHolds object") {
  std::shared_ptr<orrery::SetupHold> setupHold;
  std::shared_ptr<orrery::StartHold> startHold;
  std::unique_ptr<orrery::PrebootService> service;
  {
    PrebootHolds holds;
    service = holds.serviceFor("late");
    setupHold = service->holdSetupUntilResolved("outlives");
    startHold = service->holdStartUntilResolved("outlives too");
  }
  // The service is gone; its holds and the plugin's PrebootService still work.
  CHECK(service->isSetupOnHold());
  setupHold->resolve({.reloadConfig = true});
  CHECK_FALSE(service->isSetupOnHold());
  auto another = service->holdSetupUntilResolved("taken after the service died");
  another.reset();  // dropped unresolved: settles without a crash
  service.reset();
  startHold.reset();  // dropped unresolved, after everything else
  setupHold.reset();
}
