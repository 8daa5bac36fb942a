// BoundedPool: a bounded queue that refuses work beyond it, idle threads taking work at
// once, the figures /api/status shows (active, queue depth, completed, rejected, queue
// waits), errors that leave the thread working, and stop() finishing what runs while
// dropping what waits.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "tests/support/gate.hpp"
#include "core/executors/bounded_pool.hpp"

using orrery::executors::BoundedPool;
using namespace std::chrono_literals;

namespace {

using orrery::test::Gate;

constexpr auto kWait = 10s;  // bound for every wait; never reached when the code is right


bool post(BoundedPool& pool, std::function<void()> task) { return pool.tryPost(task); }

// Posts a task that holds a thread until `gate` opens; returns once it runs.
void occupy(BoundedPool& pool, Gate& gate) {
  auto started = std::make_shared<std::promise<void>>();
  auto future = started->get_future();
  REQUIRE(post(pool, [started, opened = gate.opened()] {
    started->set_value();
    opened.wait_for(kWait);
  }));
  REQUIRE(future.wait_for(kWait) == std::future_status::ready);
}

// Waits (bounded) until the pool has completed `count` tasks.
bool completedReaches(BoundedPool& pool, std::uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (pool.stats().completed < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

TEST_CASE("a full queue refuses work at once and counts it; the refused task is left to the caller") {
  BoundedPool pool("search", 1, 2, nullptr);
  Gate gate;
  occupy(pool, gate);
  std::atomic<int> ran{0};
  CHECK(post(pool, [&ran] { ++ran; }));
  CHECK(post(pool, [&ran] { ++ran; }));
  bool refusedRan = false;
  std::function<void()> refused = [&refusedRan] { refusedRan = true; };
  CHECK_FALSE(pool.tryPost(refused));
  REQUIRE(refused);  // not moved from: the caller still owns it
  auto stats = pool.stats();
  CHECK(stats.name == "search");
  CHECK(stats.threads == 1);
  CHECK(stats.active == 1);
  CHECK(stats.queued == 2);
  CHECK(stats.queueCapacity == 2);
  CHECK(stats.rejected == 1);
  gate.open();
  REQUIRE(completedReaches(pool, 3));
  CHECK(ran == 2);
  CHECK_FALSE(refusedRan);
  // Room again once the queue drained.
  CHECK(post(pool, [] {}));
}

TEST_CASE("idle threads take work beyond the queue: a zero queue still runs one task per thread") {
  BoundedPool pool("hashing", 2, 0, nullptr);
  Gate gate;
  occupy(pool, gate);
  occupy(pool, gate);
  CHECK_FALSE(post(pool, [] {}));
  CHECK(pool.stats().rejected == 1);
  CHECK(pool.stats().queued == 0);
}

TEST_CASE("queue waits of recent work are reported: p50, p99 and max") {
  BoundedPool pool("write", 1, 10, nullptr);
  CHECK(pool.stats().waitMaxMs == 0);
  Gate gate;
  occupy(pool, gate);
  const auto queuedAt = std::chrono::steady_clock::now();
  REQUIRE(post(pool, [] {}));
  // The queued task waits at least until the gate opens.
  while (std::chrono::steady_clock::now() - queuedAt < 20ms) std::this_thread::yield();
  const auto openedAt = std::chrono::steady_clock::now();
  gate.open();
  REQUIRE(completedReaches(pool, 2));
  const double lowerBound = std::chrono::duration<double, std::milli>(openedAt - queuedAt).count();
  const auto stats = pool.stats();
  CHECK(stats.waitMaxMs >= lowerBound);
  CHECK(stats.waitP99Ms == stats.waitMaxMs);  // two samples: the 99th is the largest
  CHECK(stats.waitP50Ms <= stats.waitP99Ms);
}

TEST_CASE("a task that throws reaches the error handler and the thread goes on") {
  std::promise<std::string> reported;
  auto future = reported.get_future();
  BoundedPool pool("blocking", 1, 10, [&reported](std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      reported.set_value(e.what());
    }
  });
  REQUIRE(post(pool, [] { throw std::runtime_error("broken task"); }));
  REQUIRE(future.wait_for(kWait) == std::future_status::ready);
  CHECK(future.get() == "broken task");
  std::promise<void> after;
  auto afterFuture = after.get_future();
  REQUIRE(post(pool, [&after] { after.set_value(); }));
  CHECK(afterFuture.wait_for(kWait) == std::future_status::ready);
}

TEST_CASE("stop() lets running work finish, destroys queued work unrun, refuses new work, joins") {
  BoundedPool pool("storage", 1, 10, nullptr);
  Gate gate;
  std::atomic<bool> runningFinished{false};
  auto started = std::make_shared<std::promise<void>>();
  auto startedFuture = started->get_future();
  REQUIRE(post(pool, [started, opened = gate.opened(), &runningFinished] {
    started->set_value();
    opened.wait_for(kWait);
    runningFinished = true;
  }));
  REQUIRE(startedFuture.wait_for(kWait) == std::future_status::ready);
  bool queuedRan = false;
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  REQUIRE(post(pool, [&queuedRan, token] { queuedRan = true; }));
  token.reset();
  std::thread opener([&gate] {
    std::this_thread::sleep_for(20ms);  // stop() must wait for the running task
    gate.open();
  });
  pool.stop();
  opener.join();
  CHECK(runningFinished);
  CHECK_FALSE(queuedRan);
  CHECK(watch.expired());  // the queued task (and what it held) was destroyed
  CHECK_FALSE(post(pool, [] {}));
  pool.stop();  // idempotent
}
