// DeadlineRunner: outcomes of a lifecycle call (completed, threw, timed out), the slow
// warning, and recovery after an abandoned call.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/plugins/deadline_runner.hpp"

using orrery::plugins::CallOutcome;
using orrery::plugins::DeadlineRunner;
using namespace std::chrono_literals;

namespace {

constexpr auto kLong = 10s;  // a deadline no correct test gets near

// A hung call's gate, opened at the end of the test so no thread stays blocked forever.
struct Release {
  std::promise<void> promise;
  std::shared_future<void> future = promise.get_future().share();
  std::promise<void> returned;  // set by the hung call once it got out
  ~Release() {
    promise.set_value();
    returned.get_future().wait_for(kLong);
  }
};

}  // namespace

TEST_CASE("a call that returns: completed, on another thread, no slow warning") {
  DeadlineRunner runner;
  int slow = 0;
  std::thread::id ranOn;
  const auto outcome = runner.run([&ranOn] { ranOn = std::this_thread::get_id(); }, kLong, 5s, [&slow] { ++slow; });
  CHECK(outcome.kind == CallOutcome::Kind::completed);
  CHECK(outcome.error.empty());
  CHECK(ranOn != std::this_thread::get_id());
  CHECK(slow == 0);
  CHECK(runner.abandoned() == 0);

  // Calls in a row reuse the worker and stay quiet.
  for (int i = 0; i < 20; ++i) {
    CHECK(runner.run([] {}, kLong, 5s, [&slow] { ++slow; }).kind == CallOutcome::Kind::completed);
  }
  CHECK(slow == 0);
}

TEST_CASE("a call that throws: threw, with the exception's message") {
  DeadlineRunner runner;
  SUBCASE("a std::exception") {
    const auto outcome = runner.run([] { throw std::runtime_error("setup exploded"); }, kLong, 5s, nullptr);
    CHECK(outcome.kind == CallOutcome::Kind::threw);
    CHECK(outcome.error == "setup exploded");
  }
  SUBCASE("something else") {
    const auto outcome = runner.run([] { throw 42; }, kLong, 5s, nullptr);
    CHECK(outcome.kind == CallOutcome::Kind::threw);
    CHECK(outcome.error == "an exception that is not a std::exception");
  }
  // The error does not leak into the next call.
  const auto next = runner.run([] {}, kLong, 5s, nullptr);
  CHECK(next.kind == CallOutcome::Kind::completed);
  CHECK(next.error.empty());
  CHECK(runner.abandoned() == 0);
}

TEST_CASE("onSlow runs once, when warnAfter has passed, and the call may still complete") {
  DeadlineRunner runner;
  std::atomic<int> slow{0};
  std::promise<void> warned;
  auto warnedFuture = warned.get_future().share();
  // The call finishes only once the warning was given: no timing guesswork.
  const auto warnAfter = 30ms;
  const auto outcome = runner.run(
      [warnedFuture] { warnedFuture.wait_for(kLong); }, kLong, warnAfter,
      [&] {
        if (++slow == 1) warned.set_value();
      });
  CHECK(outcome.kind == CallOutcome::Kind::completed);
  CHECK(slow.load() == 1);
  CHECK(outcome.elapsed >= warnAfter);
}

TEST_CASE("a call that overruns: timedOut, abandoned, and the next call gets a new worker") {
  DeadlineRunner runner;
  Release release;
  auto hungThread = std::make_shared<std::promise<std::thread::id>>();
  auto hungThreadFuture = hungThread->get_future();
  std::atomic<int> slow{0};
  const auto deadline = 60ms;
  const auto outcome = runner.run(
      [hungThread, gate = release.future, &returned = release.returned] {
        hungThread->set_value(std::this_thread::get_id());
        gate.wait();
        returned.set_value();
      },
      deadline, 20ms, [&slow] { ++slow; });
  CHECK(outcome.kind == CallOutcome::Kind::timedOut);
  CHECK(outcome.error == "did not return within 60ms");
  CHECK(outcome.elapsed >= deadline);
  CHECK(slow.load() == 1);
  CHECK(runner.abandoned() == 1);

  std::thread::id nextThread;
  const auto next = runner.run([&nextThread] { nextThread = std::this_thread::get_id(); }, kLong, 5s, nullptr);
  CHECK(next.kind == CallOutcome::Kind::completed);
  REQUIRE(hungThreadFuture.wait_for(kLong) == std::future_status::ready);
  CHECK(nextThread != hungThreadFuture.get());
  CHECK(runner.abandoned() == 1);
}

TEST_CASE("abandoned() counts every overrun") {
  DeadlineRunner runner;
  Release first;
  Release second;
  auto hang = [](Release& release) {
    return [gate = release.future, &returned = release.returned] {
      gate.wait();
      returned.set_value();
    };
  };
  CHECK(runner.run(hang(first), 20ms, 1s, nullptr).kind == CallOutcome::Kind::timedOut);
  CHECK(runner.run(hang(second), 20ms, 1s, nullptr).kind == CallOutcome::Kind::timedOut);
  CHECK(runner.abandoned() == 2);
  CHECK(runner.run([] {}, kLong, 5s, nullptr).kind == CallOutcome::Kind::completed);
  CHECK(runner.abandoned() == 2);
}

TEST_CASE("a runner destroyed after an overrun leaves the hung call safe to return") {
  auto release = std::make_unique<Release>();
  {
    DeadlineRunner runner;
    CHECK(runner.run([gate = release->future, &returned = release->returned] {
            gate.wait();
            returned.set_value();
          },
                     20ms, 1s, nullptr)
              .kind == CallOutcome::Kind::timedOut);
  }
  release.reset();  // the abandoned thread returns into its worker's state after the runner is gone
}
