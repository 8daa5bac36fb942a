// PluginExecutors: in-flight counting and drain, the library keep-alive, error
// attribution, and the SDK's runBlocking over the real pools.
#include <doctest/doctest.h>

#include "core/plugins/exception_text.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/support/gate.hpp"
#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "orrery/task.hpp"

using orrery::executors::ExecutorPool;
using orrery::executors::PluginExecutors;
using namespace std::chrono_literals;

namespace {

using orrery::test::Gate;

constexpr auto kWait = 10s;

std::chrono::steady_clock::time_point in(std::chrono::milliseconds delay) {
  return std::chrono::steady_clock::now() + delay;
}

template <class T>
bool ready(std::future<T>& future) {
  return future.wait_for(kWait) == std::future_status::ready;
}

using orrery::plugins::exceptionText;

// The library handle a plugin's executors keep alive.
std::shared_ptr<void> fakeLibrary() { return std::make_shared<int>(0); }

}  // namespace

TEST_CASE("inFlight counts queued and running tasks; drain waits for them") {
  ExecutorPool pool(1, 1, nullptr);
  PluginExecutors executors(pool, nullptr, nullptr);
  CHECK(executors.inFlight() == 0);
  CHECK(executors.drain(in(0ms)));  // idle: drained at once

  Gate gate;
  executors.post([&gate] { gate.wait(); });
  executors.postBlocking([&gate] { gate.wait(); });
  executors.postAfter(1ms, [] {});
  CHECK(executors.inFlight() == 3);  // counted when posted, not when run

  gate.open();
  CHECK(executors.drain(in(kWait)));
  CHECK(executors.inFlight() == 0);
}

TEST_CASE("drain returns false at the deadline while a task is blocked") {
  ExecutorPool pool(1, 1, nullptr);
  PluginExecutors executors(pool, nullptr, nullptr);
  Gate gate;
  std::promise<void> started;
  auto startedFuture = started.get_future();
  executors.post([&] {
    started.set_value();
    gate.wait();
  });
  REQUIRE(ready(startedFuture));

  const auto before = std::chrono::steady_clock::now();
  const auto deadline = before + 50ms;
  CHECK_FALSE(executors.drain(deadline));
  CHECK(std::chrono::steady_clock::now() >= deadline);
  CHECK(executors.inFlight() == 1);

  gate.open();
  CHECK(executors.drain(in(kWait)));
  CHECK(executors.inFlight() == 0);
}

TEST_CASE("the library stays referenced while a task is queued and is released after it ran") {
  ExecutorPool pool(1, 1, nullptr);
  auto library = fakeLibrary();
  PluginExecutors executors(pool, library, nullptr);
  const auto baseline = library.use_count();  // ours and the executors'

  // Occupy the only I/O thread so the plugin's task stays queued.
  Gate gate;
  std::promise<void> occupied;
  auto occupiedFuture = occupied.get_future();
  pool.post([&] {
    occupied.set_value();
    gate.wait();
  });
  REQUIRE(ready(occupiedFuture));

  std::promise<long> countWhileRunning;
  auto countFuture = countWhileRunning.get_future();
  std::weak_ptr<void> watch = library;
  executors.post([&countWhileRunning, watch] { countWhileRunning.set_value(watch.use_count()); });
  CHECK(library.use_count() > baseline);  // the queued task holds a reference

  gate.open();
  REQUIRE(ready(countFuture));
  CHECK(countFuture.get() > baseline);  // still held while the task runs
  REQUIRE(executors.drain(in(kWait)));
  CHECK(library.use_count() == baseline);  // released once the task is done
}

TEST_CASE("a task dropped by stop() releases the library and its in-flight count") {
  ExecutorPool pool(1, 1, nullptr);
  auto library = fakeLibrary();
  PluginExecutors executors(pool, library, nullptr);
  const auto baseline = library.use_count();
  std::atomic<bool> ran{false};
  executors.postAfter(std::chrono::hours(1), [&ran] { ran = true; });
  CHECK(executors.inFlight() == 1);
  CHECK(library.use_count() > baseline);

  pool.stop();
  CHECK_FALSE(ran.load());
  CHECK(executors.inFlight() == 0);
  CHECK(executors.drain(in(0ms)));
  CHECK(library.use_count() == baseline);
}

TEST_CASE("a task's exception goes to the plugin's handler, not the pool's") {
  std::atomic<int> poolErrors{0};
  ExecutorPool pool(1, 1, [&poolErrors](std::exception_ptr) { ++poolErrors; });
  std::promise<std::string> reported;
  auto reportedFuture = reported.get_future();
  std::atomic<int> pluginErrors{0};
  PluginExecutors executors(pool, nullptr, [&](std::exception_ptr error) {
    if (pluginErrors.fetch_add(1) == 0) reported.set_value(exceptionText(error));
  });

  SUBCASE("post") { executors.post([] { throw std::runtime_error("plugin task failed"); }); }
  SUBCASE("postBlocking") { executors.postBlocking([] { throw std::runtime_error("plugin task failed"); }); }
  SUBCASE("postAfter") { executors.postAfter(1ms, [] { throw std::runtime_error("plugin task failed"); }); }

  REQUIRE(ready(reportedFuture));
  CHECK(reportedFuture.get() == "plugin task failed");
  REQUIRE(executors.drain(in(kWait)));
  CHECK(executors.inFlight() == 0);

  // The pool keeps working for this plugin.
  std::promise<void> again;
  auto againFuture = again.get_future();
  executors.post([&again] { again.set_value(); });
  CHECK(ready(againFuture));
  REQUIRE(executors.drain(in(kWait)));
  CHECK(pluginErrors.load() == 1);
  CHECK(poolErrors.load() == 0);
}

TEST_CASE("runBlocking: work on the blocking pool, outcome on the I/O thread") {
  ExecutorPool pool(1, 1, nullptr);
  PluginExecutors executors(pool, nullptr, nullptr);
  std::promise<std::thread::id> ioId;
  auto ioFuture = ioId.get_future();
  pool.post([&ioId] { ioId.set_value(std::this_thread::get_id()); });
  REQUIRE(ready(ioFuture));
  const auto io = ioFuture.get();

  struct Seen {
    std::thread::id workThread;
    std::thread::id doneThread;
    bool ok = false;
    std::string result;
  };
  std::promise<Seen> seen;
  auto seenFuture = seen.get_future();
  auto workThread = std::make_shared<std::thread::id>();

  SUBCASE("a value") {
    executors.runBlocking(
        [workThread] {
          *workThread = std::this_thread::get_id();
          return std::string("forty-two");
        },
        [&seen, workThread](orrery::Outcome<std::string>& outcome) {
          seen.set_value({*workThread, std::this_thread::get_id(), outcome.ok(), outcome.get()});
        });
    REQUIRE(ready(seenFuture));
    const auto s = seenFuture.get();
    CHECK(s.ok);
    CHECK(s.result == "forty-two");
    CHECK(s.workThread != io);
    CHECK(s.doneThread == io);
  }

  SUBCASE("an exception") {
    executors.runBlocking(
        [workThread]() -> int {
          *workThread = std::this_thread::get_id();
          throw std::runtime_error("blocking work failed");
        },
        [&seen, workThread](orrery::Outcome<int>& outcome) {
          std::string message;
          try {
            outcome.get();
          } catch (const std::runtime_error& e) {
            message = e.what();
          }
          seen.set_value({*workThread, std::this_thread::get_id(), outcome.ok(), message});
        });
    REQUIRE(ready(seenFuture));
    const auto s = seenFuture.get();
    CHECK_FALSE(s.ok);
    CHECK(s.result == "blocking work failed");
    CHECK(s.workThread != io);
    CHECK(s.doneThread == io);
  }

  SUBCASE("void work") {
    executors.runBlocking([workThread] { *workThread = std::this_thread::get_id(); },
                          [&seen, workThread](orrery::Outcome<void>& outcome) {
                            seen.set_value({*workThread, std::this_thread::get_id(), outcome.ok(), ""});
                          });
    REQUIRE(ready(seenFuture));
    const auto s = seenFuture.get();
    CHECK(s.ok);
    CHECK(s.workThread != io);
    CHECK(s.doneThread == io);
  }

  // Both halves are counted: drained means the outcome handler has run too.
  CHECK(executors.drain(in(kWait)));
}

namespace {

// A plugin's coroutine that sleeps for an hour unless its stop token is cancelled.
orrery::Task<bool> napping(orrery::Executors& executors, orrery::CancellationToken stop) {
  const bool slept = co_await executors.sleep(std::chrono::hours(1), stop);
  co_return slept;
}

}  // namespace

TEST_CASE("a coroutine sleeping for an hour: cancelling its token ends the sleep, its timer and its in-flight count") {
  ExecutorPool pool(1, 1, nullptr);
  PluginExecutors executors(pool, fakeLibrary(), nullptr);
  orrery::CancellationSource stop;
  std::promise<bool> result;
  auto future = result.get_future();
  auto task = napping(executors, stop.token());
  orrery::startTask(std::move(task), [&result](std::exception_ptr, std::optional<bool> slept) { result.set_value(slept.value_or(true)); });
  CHECK(future.wait_for(20ms) == std::future_status::timeout);
  CHECK(executors.inFlight() == 1);  // the pending sleep counts as the plugin's work
  const auto stopping = std::chrono::steady_clock::now();
  stop.cancel();
  // What the host does at stop: drain. It must not wait for the hour.
  CHECK(executors.drain(in(kWait)));
  CHECK(std::chrono::steady_clock::now() - stopping < kWait);
  REQUIRE(ready(future));
  CHECK_FALSE(future.get());
  CHECK(pool.pendingTimers() == 0);  // no timer left on the io_context
}

TEST_CASE("blocking(work, pool) on a full pool rethrows RejectedExecution from the co_await") {
  orrery::executors::PoolSizes sizes;
  sizes.fill({1, 0});
  ExecutorPool pool(1, sizes, nullptr);
  PluginExecutors executors(pool, fakeLibrary(), nullptr);
  Gate gate;
  std::promise<void> started;
  auto startedFuture = started.get_future();
  executors.postBlockingOn(orrery::Pool::hashing, [&started, &gate] {
    started.set_value();
    gate.wait();
  });
  REQUIRE(ready(startedFuture));
  auto refused = [&executors]() -> orrery::Task<int> {
    auto work = [] { return 1; };
    co_return co_await executors.blocking(std::move(work), orrery::Pool::hashing);
  };
  std::promise<std::string> error;
  auto errorFuture = error.get_future();
  auto task = refused();
  orrery::startTask(std::move(task), [&error](std::exception_ptr failure, std::optional<int>) {
    try {
      if (failure) std::rethrow_exception(failure);
      error.set_value("no error");
    } catch (const orrery::RejectedExecution& e) {
      error.set_value(std::string("rejected: ") + e.what());
    } catch (...) {
      error.set_value("another error");
    }
  });
  REQUIRE(ready(errorFuture));
  CHECK(errorFuture.get().find("rejected: rejected execution of") == 0);
  gate.open();
  CHECK(executors.drain(in(kWait)));
}
