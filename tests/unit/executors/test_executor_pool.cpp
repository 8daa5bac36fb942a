// ExecutorPool: where each kind of work runs, delays, error isolation, and stop().
#include <doctest/doctest.h>

#include "core/plugins/exception_text.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "core/executors/executor_pool.hpp"

using orrery::executors::ExecutorPool;
using namespace std::chrono_literals;

namespace {

constexpr auto kWait = 10s;  // bound for every wait; never reached when the code is right

template <class T>
bool ready(std::future<T>& future, std::chrono::milliseconds within = kWait) {
  return future.wait_for(within) == std::future_status::ready;
}

using orrery::plugins::exceptionText;

// Whether a task posted to each kind of thread runs.
bool bothKindsRun(ExecutorPool& pool) {
  std::promise<void> io;
  std::promise<void> blocking;
  auto ioFuture = io.get_future();
  auto blockingFuture = blocking.get_future();
  pool.post([&io] { io.set_value(); });
  pool.postBlocking([&blocking] { blocking.set_value(); });
  return ready(ioFuture) && ready(blockingFuture);
}

// The id of the (single) I/O thread of `pool`.
std::thread::id ioThreadOf(ExecutorPool& pool) {
  std::promise<std::thread::id> id;
  auto future = id.get_future();
  pool.post([&id] { id.set_value(std::this_thread::get_id()); });
  REQUIRE(ready(future));
  return future.get();
}

}  // namespace

TEST_CASE("post runs the task on another thread") {
  ExecutorPool pool(2, 1, nullptr);
  std::promise<std::thread::id> ran;
  auto future = ran.get_future();
  pool.post([&ran] { ran.set_value(std::this_thread::get_id()); });
  REQUIRE(ready(future));
  CHECK(future.get() != std::this_thread::get_id());
}

TEST_CASE("postAfter waits at least the delay") {
  ExecutorPool pool(1, 1, nullptr);
  const auto delay = 80ms;
  std::promise<std::chrono::steady_clock::time_point> ran;
  auto future = ran.get_future();
  const auto posted = std::chrono::steady_clock::now();
  pool.postAfter(delay, [&ran] { ran.set_value(std::chrono::steady_clock::now()); });
  REQUIRE(ready(future));
  CHECK(future.get() - posted >= delay);
}

TEST_CASE("postBlocking runs on the blocking pool, never on an I/O thread") {
  ExecutorPool pool(1, 1, nullptr);
  const auto io = ioThreadOf(pool);

  SUBCASE("a different thread") {
    std::promise<std::thread::id> ran;
    auto future = ran.get_future();
    pool.postBlocking([&ran] { ran.set_value(std::this_thread::get_id()); });
    REQUIRE(ready(future));
    const auto blocking = future.get();
    CHECK(blocking != io);
    CHECK(blocking != std::this_thread::get_id());
  }

  SUBCASE("runs while the only I/O thread is busy") {
    std::promise<void> unblockIo;
    std::promise<void> ioDone;
    auto ioFinished = ioDone.get_future();
    pool.post([&] {
      unblockIo.get_future().wait_for(kWait);
      ioDone.set_value();
    });
    std::promise<void> blockingRan;
    auto blockingFuture = blockingRan.get_future();
    pool.postBlocking([&blockingRan] { blockingRan.set_value(); });
    const bool ranWhileIoBusy = ready(blockingFuture);
    unblockIo.set_value();
    CHECK(ranWhileIoBusy);
    REQUIRE(ready(ioFinished));
  }
}

TEST_CASE("a task that throws reaches the error handler and the pool keeps working") {
  std::promise<std::string> reported;
  auto reportedFuture = reported.get_future();
  std::atomic<int> errors{0};
  ExecutorPool pool(1, 1, [&](std::exception_ptr error) {
    if (errors.fetch_add(1) == 0) reported.set_value(exceptionText(error));
  });

  SUBCASE("on an I/O thread") { pool.post([] { throw std::runtime_error("task failed"); }); }
  SUBCASE("on the blocking pool") { pool.postBlocking([] { throw std::runtime_error("task failed"); }); }
  SUBCASE("after a delay") { pool.postAfter(1ms, [] { throw std::runtime_error("task failed"); }); }

  REQUIRE(ready(reportedFuture));
  CHECK(reportedFuture.get() == "task failed");

  CHECK(bothKindsRun(pool));
  CHECK(errors.load() == 1);
}

TEST_CASE("stop() drops queued work without running it, and destroys it then") {
  std::atomic<bool> ran{false};
  auto sentinel = std::make_shared<int>(7);
  std::weak_ptr<int> watch = sentinel;
  ExecutorPool pool(1, 1, nullptr);
  pool.postAfter(std::chrono::hours(1), [&ran, sentinel] { ran = true; });
  sentinel.reset();
  REQUIRE_FALSE(watch.expired());  // the queued task holds it

  pool.stop();
  CHECK_FALSE(ran.load());
  CHECK(watch.expired());  // destroyed by stop(), not left for the destructor
}

TEST_CASE("stop() joins the running task and drops what is queued behind it") {
  ExecutorPool pool(1, 1, nullptr);
  std::promise<void> started;
  auto startedFuture = started.get_future();
  std::atomic<bool> firstFinished{false};
  std::atomic<bool> secondRan{false};
  auto sentinel = std::make_shared<int>(1);
  std::weak_ptr<int> watch = sentinel;

  // The first task holds the only I/O thread until stop() has stopped the io_context, so
  // the second is still queued when the pool stops.
  pool.post([&] {
    started.set_value();
    const auto giveUp = std::chrono::steady_clock::now() + kWait;
    while (!pool.io().stopped() && std::chrono::steady_clock::now() < giveUp) std::this_thread::yield();
    firstFinished = true;
  });
  pool.post([&secondRan, sentinel] { secondRan = true; });
  sentinel.reset();
  REQUIRE(ready(startedFuture));

  pool.stop();
  CHECK(firstFinished.load());  // joined: the running task completed before stop() returned
  CHECK_FALSE(secondRan.load());
  CHECK(watch.expired());
}

TEST_CASE("stop() is idempotent and the destructor after it is safe") {
  auto pool = std::make_unique<ExecutorPool>(2, 2, nullptr);
  std::promise<void> ran;
  auto future = ran.get_future();
  pool->post([&ran] { ran.set_value(); });
  REQUIRE(ready(future));
  pool->stop();
  pool->stop();
  CHECK(pool->io().stopped());
  pool.reset();
}

TEST_CASE("zero thread counts still give one thread of each kind") {
  ExecutorPool pool(0, 0, nullptr);
  CHECK(bothKindsRun(pool));
}

namespace {

orrery::executors::PoolSizes tinyPools() {
  orrery::executors::PoolSizes sizes;
  sizes.fill({1, 0});  // one thread each, nothing may wait
  return sizes;
}

}  // namespace

TEST_CASE("a full pool throws RejectedExecution naming it and its queue; the other pools keep working") {
  ExecutorPool pool(1, tinyPools(), nullptr);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  auto startedFuture = started.get_future();
  pool.postBlocking(orrery::Pool::search, [&started, released] {
    started.set_value();
    released.wait_for(kWait);
  });
  REQUIRE(ready(startedFuture));
  bool threw = false;
  try {
    pool.postBlocking(orrery::Pool::search, [] {});
  } catch (const orrery::RejectedExecution& e) {
    threw = true;
    CHECK(e.pool() == orrery::Pool::search);
    CHECK(e.queueCapacity() == 0);
    const std::string message = e.what();
    CAPTURE(message);
    CHECK(message.find("rejected execution of") == 0);
    CHECK(message.find("name = search") != std::string::npos);
    CHECK(message.find("queue capacity = 0") != std::string::npos);
  }
  CHECK(threw);
  // Storage, hashing, writes and the general pool are not touched by a full search pool.
  for (const auto other : {orrery::Pool::storage, orrery::Pool::hashing, orrery::Pool::write, orrery::Pool::blocking}) {
    std::promise<void> ran;
    auto future = ran.get_future();
    pool.postBlocking(other, [&ran] { ran.set_value(); });
    CHECK(ready(future));
  }
  const auto stats = pool.stats();
  REQUIRE(stats.size() == orrery::executors::kPoolCount);
  CHECK(stats[static_cast<std::size_t>(orrery::Pool::search)].name == "search");
  CHECK(stats[static_cast<std::size_t>(orrery::Pool::search)].rejected == 1);
  CHECK(stats[static_cast<std::size_t>(orrery::Pool::storage)].rejected == 0);
}

TEST_CASE("the pool sizes follow the machine: search is cores * 3 / 2 + 1 with a queue of 1000") {
  const auto sizes = orrery::executors::defaultPoolSizes(4);
  CHECK(sizes[static_cast<std::size_t>(orrery::Pool::search)].threads == 7);
  CHECK(sizes[static_cast<std::size_t>(orrery::Pool::search)].queueSize == 1000);
  CHECK(sizes[static_cast<std::size_t>(orrery::Pool::write)].threads == 4);
  CHECK(sizes[static_cast<std::size_t>(orrery::Pool::hashing)].threads == 2);
  CHECK(orrery::executors::defaultPoolSizes(1)[static_cast<std::size_t>(orrery::Pool::hashing)].threads == 1);
}

TEST_CASE("postAfterOrCancel: a cancel ends a one-hour wait at once and leaves no timer behind") {
  ExecutorPool pool(1, 1, nullptr);
  orrery::CancellationSource cancel;
  std::promise<bool> done;
  auto future = done.get_future();
  pool.postAfterOrCancel(std::chrono::hours(1), cancel.token(), [&done](bool elapsed) { done.set_value(elapsed); });
  CHECK(pool.pendingTimers() == 1);
  CHECK(future.wait_for(20ms) == std::future_status::timeout);
  cancel.cancel();
  REQUIRE(ready(future));
  CHECK_FALSE(future.get());
  // The timer itself is gone, not merely ignored until its deadline.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (pool.pendingTimers() != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  CHECK(pool.pendingTimers() == 0);
}

TEST_CASE("postAfterOrCancel: the delay passing gives done(true), once; a token cancelled before gives done(false)") {
  ExecutorPool pool(1, 1, nullptr);
  orrery::CancellationSource cancel;
  std::promise<bool> done;
  auto future = done.get_future();
  const auto start = std::chrono::steady_clock::now();
  pool.postAfterOrCancel(30ms, cancel.token(), [&done](bool elapsed) { done.set_value(elapsed); });
  REQUIRE(ready(future));
  CHECK(future.get());
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  cancel.cancel();  // after the end: nothing more happens (a second set_value would throw)

  orrery::CancellationSource early;
  early.cancel();
  std::promise<bool> second;
  auto secondFuture = second.get_future();
  pool.postAfterOrCancel(std::chrono::hours(1), early.token(), [&second](bool elapsed) { second.set_value(elapsed); });
  REQUIRE(ready(secondFuture));
  CHECK_FALSE(secondFuture.get());
}
