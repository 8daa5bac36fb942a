// The host's executors, as a plugin sees them.
//
// Two kinds of thread exist: I/O threads (network, timers, callbacks — must never block)
// and a bounded blocking pool (SQLite, files, child processes). `post` runs short work on
// the I/O threads; `runBlocking` moves blocking work to the pool and delivers its result
// back on an I/O thread. Work a plugin posts is counted: when the plugin is stopped the
// host cancels its stop token and waits (up to the stop deadline) for that work to drain.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace orrery {

// The result of blocking work: a value, or the exception it threw.
template <class T>
struct Outcome {
  std::optional<T> value;
  std::exception_ptr error;

  bool ok() const { return error == nullptr; }
  // The value, or rethrows the work's exception.
  T& get() {
    if (error) std::rethrow_exception(error);
    return *value;
  }
};

template <>
struct Outcome<void> {
  std::exception_ptr error;

  bool ok() const { return error == nullptr; }
  void get() const {
    if (error) std::rethrow_exception(error);
  }
};

class Executors {
 public:
  virtual ~Executors() = default;

  // Runs `task` soon on an I/O thread. The task must not block.
  virtual void post(std::function<void()> task) = 0;
  // Runs `task` on an I/O thread after `delay`.
  virtual void postAfter(std::chrono::milliseconds delay, std::function<void()> task) = 0;
  // Runs `work` on the blocking pool. Prefer runBlocking, which reports the outcome.
  virtual void postBlocking(std::function<void()> work) = 0;

  // Runs `work` on the blocking pool, then `done(Outcome<R>&)` on an I/O thread. An
  // exception thrown by `work` is captured in the outcome, never lost.
  template <class Work, class Done>
  void runBlocking(Work work, Done done) {
    using R = std::invoke_result_t<Work&>;
    // std::function needs copyable callables; shared state keeps move-only results legal.
    auto state = std::make_shared<std::pair<Work, Done>>(std::move(work), std::move(done));
    postBlocking([this, state] {
      auto outcome = std::make_shared<Outcome<R>>();
      try {
        if constexpr (std::is_void_v<R>) {
          state->first();
        } else {
          outcome->value.emplace(state->first());
        }
      } catch (...) {
        outcome->error = std::current_exception();
      }
      post([state, outcome] { state->second(*outcome); });
    });
  }
};

}  // namespace orrery
