// DispatcherSlot: requests take the dispatcher current when their head arrives; a phase
// change waits for the previous dispatcher's requests only, and can cut them.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "core/http/dispatcher.hpp"
#include "core/http/dispatcher_slot.hpp"
#include "http_test_support.hpp"

using orrery::server::AuthGate;
using orrery::server::ConnectionRegistry;
using orrery::server::Dispatcher;
using orrery::server::DispatcherSlot;
using orrery::server::Phase;
using orrery::server::RouteSpace;
using namespace std::chrono_literals;

namespace {

struct Phases {
  orrery::http_test::RecordingLogger log;
  std::shared_ptr<RouteSpace> routes = std::make_shared<RouteSpace>(std::vector<std::string>{"/api"}, "/es");
  std::shared_ptr<AuthGate> gate = std::make_shared<AuthGate>();
  std::shared_ptr<const Dispatcher> make(Phase phase) {
    return std::make_shared<Dispatcher>(phase, routes, gate, log, 1024);
  }
};

auto soon() { return std::chrono::steady_clock::now() + 20ms; }

}  // namespace

TEST_CASE("a ticket is for the dispatcher current when it was taken") {
  Phases phases;
  DispatcherSlot slot;
  const auto preboot = phases.make(Phase::preboot);
  const auto serving = phases.make(Phase::serving);
  CHECK(slot.swap(preboot) == nullptr);
  auto early = slot.enter(nullptr);
  CHECK(slot.swap(serving) == preboot);
  auto late = slot.enter(nullptr);
  CHECK(&early.dispatcher() == preboot.get());
  CHECK(&late.dispatcher() == serving.get());
}

TEST_CASE("a phase change waits for the previous phase's requests, not the new phase's") {
  Phases phases;
  DispatcherSlot slot;
  const auto preboot = phases.make(Phase::preboot);
  slot.swap(preboot);
  CHECK(slot.waitDone(preboot.get(), soon()));  // none in flight

  auto inFlight = slot.enter(nullptr);
  slot.swap(phases.make(Phase::starting));
  auto newPhase = slot.enter(nullptr);  // e.g. a keep-alive connection's next request
  CHECK_FALSE(slot.waitDone(preboot.get(), soon()));

  std::atomic<bool> done = false;
  std::thread waiter([&] { done = slot.waitDone(preboot.get(), std::chrono::steady_clock::now() + 30s); });
  inFlight.release();
  waiter.join();
  CHECK(done);  // woken by the release, with the new phase's request still in flight
}

TEST_CASE("moving a ticket keeps one hold; releasing twice releases once") {
  Phases phases;
  DispatcherSlot slot;
  const auto preboot = phases.make(Phase::preboot);
  slot.swap(preboot);
  auto first = slot.enter(nullptr);
  auto moved = std::move(first);
  first.release();  // empty: no effect
  CHECK_FALSE(slot.waitDone(preboot.get(), soon()));
  moved.release();
  moved.release();
  CHECK(slot.waitDone(preboot.get(), soon()));
}

TEST_CASE("cut() closes the connections of the previous phase's requests only") {
  Phases phases;
  DispatcherSlot slot;
  const auto preboot = phases.make(Phase::preboot);
  slot.swap(preboot);
  ConnectionRegistry registry;
  int oldCut = 0;
  int newCut = 0;
  auto oldConnection = registry.add([&](bool force) { oldCut += force ? 1 : 0; });
  auto newConnection = registry.add([&](bool force) { newCut += force ? 1 : 0; });
  auto old = slot.enter(oldConnection);
  slot.swap(phases.make(Phase::serving));
  auto current = slot.enter(newConnection);
  CHECK(slot.cut(preboot.get()) == 1);
  CHECK(oldCut == 1);
  CHECK(newCut == 0);
}
