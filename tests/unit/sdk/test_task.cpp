// orrery::Task: lazy start, value and void results, exceptions rethrown at co_await,
// nested awaits, startTask's callback (inline and after a suspension), move semantics.
#include <doctest/doctest.h>

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "orrery/task.hpp"

using orrery::startTask;
using orrery::Task;

namespace {

// What a finished startTask reported.
template <class T>
struct Result {
  int calls = 0;
  std::exception_ptr error;
  std::optional<T> value;
};

template <class T>
Result<T> start(Task<T> task) {
  Result<T> result;
  startTask(std::move(task), [&result](std::exception_ptr error, std::optional<T> value) noexcept {
    ++result.calls;
    result.error = error;
    result.value = std::move(value);
  });
  return result;
}

struct VoidResult {
  int calls = 0;
  std::exception_ptr error;
};

VoidResult start(Task<void> task) {
  VoidResult result;
  startTask(std::move(task), [&result](std::exception_ptr error) noexcept {
    ++result.calls;
    result.error = error;
  });
  return result;
}

std::string messageOf(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "<non-standard>";
  }
}

Task<int> answer(std::vector<std::string>& trace) {
  trace.push_back("answer");
  co_return 42;
}

Task<void> note(std::vector<std::string>& trace, std::string text) {
  trace.push_back(std::move(text));
  co_return;
}

Task<int> failing(std::string message) {
  throw std::runtime_error(message);
  co_return 0;
}

Task<void> failingVoid() {
  throw std::logic_error("void task failed");
  co_return;
}

// A hand-resumed suspension point, standing in for I/O. `co_await gate.wait()` parks the
// coroutine in `waiting` (the awaiter holds a pointer: g++ 12 may copy an awaiter).
struct Gate {
  struct Awaiter {
    std::coroutine_handle<>* slot;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle) const noexcept { *slot = handle; }
    void await_resume() const noexcept {}
  };
  Awaiter wait() { return Awaiter{&waiting}; }
  std::coroutine_handle<> waiting;
};

// Counts destructions, to see a coroutine frame freed.
struct Tracked {
  explicit Tracked(std::shared_ptr<int> counter) : counter(std::move(counter)) {}
  Tracked(Tracked&& other) noexcept : counter(std::move(other.counter)) {}
  ~Tracked() {
    if (counter) ++*counter;
  }
  std::shared_ptr<int> counter;
};

Task<int> holding(Tracked tracked, bool& ran) {
  ran = true;
  co_return tracked.counter ? 1 : 0;
}

}  // namespace

TEST_CASE("a task is lazy: nothing runs until it is started") {
  std::vector<std::string> trace;
  auto task = answer(trace);
  CHECK(task.valid());
  CHECK(trace.empty());
  const auto result = start(std::move(task));
  CHECK(trace == std::vector<std::string>{"answer"});
  CHECK(result.calls == 1);
}

TEST_CASE("a task is lazy: nothing runs until it is awaited") {
  std::vector<std::string> trace;
  auto outer = [&]() -> Task<int> {
    auto inner = answer(trace);
    trace.push_back("created inner");
    const int value = co_await std::move(inner);
    trace.push_back("awaited inner");
    co_return value + 1;
  };
  const auto result = start(outer());
  CHECK(trace == std::vector<std::string>{"created inner", "answer", "awaited inner"});
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 43);
}

TEST_CASE("a value task delivers its value to startTask's callback, once, before startTask returns") {
  std::vector<std::string> trace;
  const auto result = start(answer(trace));
  CHECK(result.calls == 1);
  CHECK_FALSE(result.error);
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 42);
}

TEST_CASE("a void task completes through the void callback") {
  std::vector<std::string> trace;
  const auto result = start(note(trace, "ran"));
  CHECK(result.calls == 1);
  CHECK_FALSE(result.error);
  CHECK(trace == std::vector<std::string>{"ran"});
}

TEST_CASE("a move-only result is moved out") {
  auto make = []() -> Task<std::unique_ptr<int>> { co_return std::make_unique<int>(7); };
  auto result = start(make());
  REQUIRE(result.value.has_value());
  REQUIRE(*result.value != nullptr);
  CHECK(**result.value == 7);
}

TEST_CASE("an exception reaches startTask's callback instead of a value") {
  SUBCASE("value task") {
    const auto result = start(failing("boom"));
    CHECK(result.calls == 1);
    REQUIRE(result.error);
    CHECK(messageOf(result.error) == "boom");
    CHECK_FALSE(result.value.has_value());
  }
  SUBCASE("void task") {
    const auto result = start(failingVoid());
    CHECK(result.calls == 1);
    REQUIRE(result.error);
    CHECK(messageOf(result.error) == "void task failed");
  }
}

TEST_CASE("an exception in a task is rethrown at the co_await, with its type") {
  std::vector<std::string> trace;
  auto outer = [&]() -> Task<std::string> {
    try {
      co_await failing("inner failure");
      trace.push_back("not reached");
    } catch (const std::runtime_error& error) {
      trace.push_back("caught");
      co_return std::string(error.what());
    }
    co_return "no exception";
  };
  const auto result = start(outer());
  CHECK(trace == std::vector<std::string>{"caught"});
  REQUIRE(result.value.has_value());
  CHECK(*result.value == "inner failure");
}

TEST_CASE("a void task's exception is rethrown at the co_await") {
  auto outer = []() -> Task<bool> {
    try {
      co_await failingVoid();
    } catch (const std::logic_error&) {
      co_return true;
    }
    co_return false;
  };
  const auto result = start(outer());
  REQUIRE(result.value.has_value());
  CHECK(*result.value);
}

TEST_CASE("an uncaught exception passes through every awaiting level") {
  auto middle = []() -> Task<int> { co_return co_await failing("deep") + 1; };
  auto top = [&]() -> Task<int> { co_return co_await middle() + 1; };
  const auto result = start(top());
  REQUIRE(result.error);
  CHECK(messageOf(result.error) == "deep");
}

TEST_CASE("nested awaits run in order and combine their results") {
  std::vector<std::string> trace;
  auto level2 = [&](int x) -> Task<int> {
    co_await note(trace, "level2 " + std::to_string(x));
    co_return x * 2;
  };
  auto level1 = [&]() -> Task<int> {
    const int a = co_await level2(1);
    const int b = co_await level2(10);
    trace.push_back("level1");
    co_return a + b;
  };
  auto top = [&]() -> Task<int> {
    const int value = co_await level1();
    trace.push_back("top");
    co_return value;
  };
  const auto result = start(top());
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 22);
  CHECK(trace == std::vector<std::string>{"level2 1", "level2 10", "level1", "top"});
}

TEST_CASE("many sequential awaits complete") {
  auto one = []() -> Task<int> { co_return 1; };
  auto loop = [&]() -> Task<int> {
    int sum = 0;
    for (int i = 0; i < 10000; ++i) sum += co_await one();
    co_return sum;
  };
  const auto result = start(loop());
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 10000);
}

TEST_CASE("startTask returns at the first suspension; the callback runs where the task finishes") {
  Gate gate;
  std::vector<std::string> trace;
  auto inner = [&]() -> Task<int> {
    trace.push_back("before suspend");
    co_await gate.wait();
    trace.push_back("after resume");
    co_return 5;
  };
  auto outer = [&]() -> Task<int> { co_return co_await inner() * 2; };

  Result<int> result;
  startTask(outer(), [&](std::exception_ptr error, std::optional<int> value) noexcept {
    ++result.calls;
    result.error = error;
    result.value = value;
  });
  CHECK(trace == std::vector<std::string>{"before suspend"});
  CHECK(result.calls == 0);
  REQUIRE(gate.waiting);

  gate.waiting.resume();
  CHECK(trace == std::vector<std::string>{"before suspend", "after resume"});
  CHECK(result.calls == 1);
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 10);
}

TEST_CASE("an exception after a suspension still reaches the callback") {
  Gate gate;
  auto task = [&]() -> Task<void> {
    co_await gate.wait();
    throw std::runtime_error("late failure");
  };
  VoidResult result;
  startTask(task(), [&](std::exception_ptr error) noexcept {
    ++result.calls;
    result.error = error;
  });
  CHECK(result.calls == 0);
  gate.waiting.resume();
  CHECK(result.calls == 1);
  CHECK(messageOf(result.error) == "late failure");
}

TEST_CASE("move construction transfers the coroutine") {
  std::vector<std::string> trace;
  Task<int> first = answer(trace);
  Task<int> second(std::move(first));
  CHECK_FALSE(first.valid());  // NOLINT(bugprone-use-after-move)
  CHECK(second.valid());
  const auto result = start(std::move(second));
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 42);
  CHECK(trace.size() == 1);
}

TEST_CASE("move assignment frees the coroutine it replaces, without running it") {
  auto destroyed = std::make_shared<int>(0);
  bool ranReplaced = false;
  bool ranKept = false;
  Task<int> target = holding(Tracked(destroyed), ranReplaced);
  const int before = *destroyed;  // temporaries moved into the frame are gone already
  Task<int> source = holding(Tracked(destroyed), ranKept);
  const int afterSecond = *destroyed;
  CHECK(afterSecond >= before);

  target = std::move(source);
  CHECK(*destroyed == afterSecond + 1);  // the replaced frame (and its parameter) is freed
  CHECK_FALSE(ranReplaced);
  CHECK_FALSE(source.valid());  // NOLINT(bugprone-use-after-move)
  CHECK(target.valid());

  const auto result = start(std::move(target));
  CHECK(ranKept);
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 1);
}

TEST_CASE("self move assignment keeps the task") {
  std::vector<std::string> trace;
  Task<int> task = answer(trace);
  auto& alias = task;
  task = std::move(alias);
  CHECK(task.valid());
  const auto result = start(std::move(task));
  REQUIRE(result.value.has_value());
  CHECK(*result.value == 42);
}

TEST_CASE("destroying a task that never ran frees its frame without running it") {
  auto destroyed = std::make_shared<int>(0);
  bool ran = false;
  int beforeDestroy = 0;
  {
    Task<int> task = holding(Tracked(destroyed), ran);
    beforeDestroy = *destroyed;
  }
  CHECK(*destroyed == beforeDestroy + 1);
  CHECK_FALSE(ran);
}

TEST_CASE("a finished task's frame is freed after startTask") {
  auto destroyed = std::make_shared<int>(0);
  bool ran = false;
  auto task = holding(Tracked(destroyed), ran);
  const int before = *destroyed;
  const auto result = start(std::move(task));
  CHECK(ran);
  CHECK(result.calls == 1);
  CHECK(*destroyed == before + 1);
}

TEST_CASE("a default-constructed task is not valid") {
  Task<int> task;
  CHECK_FALSE(task.valid());
  Task<void> voidTask;
  CHECK_FALSE(voidTask.valid());
}

TEST_CASE("awaiting an empty task throws std::logic_error at the co_await instead of dereferencing nothing") {
  auto awaitEmpty = []() -> Task<int> {
    Task<int> empty;
    co_return co_await std::move(empty);
  };
  const auto result = start(awaitEmpty());
  CHECK(result.calls == 1);
  CHECK_FALSE(result.value.has_value());
  REQUIRE(result.error);
  CHECK_THROWS_AS(std::rethrow_exception(result.error), std::logic_error);
  CHECK(messageOf(result.error) == "co_await on an empty orrery::Task (default-constructed or moved from)");

  // A task moved from is empty too; void tasks alike.
  std::vector<std::string> trace;
  auto awaitMovedFrom = [&trace]() -> Task<void> {
    Task<void> once = note(trace, "ran");
    Task<void> moved = std::move(once);
    co_await std::move(moved);
    co_await std::move(once);
  };
  const auto twice = start(awaitMovedFrom());
  CHECK(trace == std::vector<std::string>{"ran"});
  REQUIRE(twice.error);
  CHECK_THROWS_AS(std::rethrow_exception(twice.error), std::logic_error);
}
