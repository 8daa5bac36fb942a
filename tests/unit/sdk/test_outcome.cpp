// Outcome<T> and Executors::runBlocking's routing: work to the blocking pool, the outcome
// handler back through post — never run inline in the caller.
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "orrery/executors.hpp"

namespace {

// Records what goes where; the test runs the queues by hand.
class QueueExecutors final : public orrery::Executors {
 public:
  void post(std::function<void()> task) override { io.push_back(std::move(task)); }
  void postAfter(std::chrono::milliseconds, std::function<void()> task) override { io.push_back(std::move(task)); }
  void postBlocking(std::function<void()> work) override { blocking.push_back(std::move(work)); }

  static void runOne(std::deque<std::function<void()>>& queue) {
    REQUIRE_FALSE(queue.empty());
    auto task = std::move(queue.front());
    queue.pop_front();
    task();
  }

  std::deque<std::function<void()>> io;
  std::deque<std::function<void()>> blocking;
};

}  // namespace

TEST_CASE("Outcome holds a value or rethrows the error") {
  orrery::Outcome<int> good;
  good.value = 5;
  CHECK(good.ok());
  CHECK(good.get() == 5);

  orrery::Outcome<int> bad;
  bad.error = std::make_exception_ptr(std::runtime_error("failed work"));
  CHECK_FALSE(bad.ok());
  CHECK_THROWS_WITH_AS(bad.get(), "failed work", std::runtime_error);

  orrery::Outcome<void> done;
  CHECK(done.ok());
  CHECK_NOTHROW(done.get());
  done.error = std::make_exception_ptr(std::logic_error("void failed"));
  CHECK_FALSE(done.ok());
  CHECK_THROWS_WITH_AS(done.get(), "void failed", std::logic_error);
}

TEST_CASE("runBlocking: work on the blocking queue, the outcome through post") {
  QueueExecutors executors;
  std::string seen;
  bool workRan = false;
  executors.runBlocking(
      [&workRan] {
        workRan = true;
        return std::string("result");
      },
      [&seen](orrery::Outcome<std::string>& outcome) { seen = outcome.get(); });
  CHECK_FALSE(workRan);  // nothing inline
  CHECK(executors.io.empty());
  REQUIRE(executors.blocking.size() == 1);

  QueueExecutors::runOne(executors.blocking);
  CHECK(workRan);
  CHECK(seen.empty());  // the handler is posted, not run on the blocking thread
  REQUIRE(executors.io.size() == 1);
  QueueExecutors::runOne(executors.io);
  CHECK(seen == "result");
}

TEST_CASE("runBlocking: an exception from the work reaches the handler in the outcome") {
  QueueExecutors executors;
  bool ok = true;
  std::string message;
  executors.runBlocking([]() -> int { throw std::runtime_error("disk on fire"); },
                        [&](orrery::Outcome<int>& outcome) {
                          ok = outcome.ok();
                          try {
                            outcome.get();
                          } catch (const std::runtime_error& e) {
                            message = e.what();
                          }
                        });
  CHECK_NOTHROW(QueueExecutors::runOne(executors.blocking));
  QueueExecutors::runOne(executors.io);
  CHECK_FALSE(ok);
  CHECK(message == "disk on fire");
}

TEST_CASE("runBlocking: void work and move-only results") {
  QueueExecutors executors;
  SUBCASE("void") {
    bool ok = false;
    int sideEffect = 0;
    executors.runBlocking([&sideEffect] { sideEffect = 1; }, [&ok](orrery::Outcome<void>& outcome) { ok = outcome.ok(); });
    QueueExecutors::runOne(executors.blocking);
    QueueExecutors::runOne(executors.io);
    CHECK(ok);
    CHECK(sideEffect == 1);
  }
  SUBCASE("move-only") {
    int got = 0;
    executors.runBlocking([] { return std::make_unique<int>(42); },
                          [&got](orrery::Outcome<std::unique_ptr<int>>& outcome) {
                            auto value = std::move(outcome.get());
                            got = *value;
                          });
    QueueExecutors::runOne(executors.blocking);
    QueueExecutors::runOne(executors.io);
    CHECK(got == 42);
  }
}

TEST_CASE("runBlocking keeps its callables alive until the handler has run") {
  QueueExecutors executors;
  auto token = std::make_shared<int>(1);
  std::weak_ptr<int> watch = token;
  executors.runBlocking([token] { return *token; }, [token](orrery::Outcome<int>&) {});
  token.reset();
  CHECK_FALSE(watch.expired());
  QueueExecutors::runOne(executors.blocking);
  CHECK_FALSE(watch.expired());
  QueueExecutors::runOne(executors.io);
  executors.io.clear();
  CHECK(watch.expired());
}
