// The host's executors, as a plugin sees them.
//
// Two kinds of thread exist: I/O threads (network, timers, callbacks — must never block)
// and a bounded blocking pool (SQLite, files, child processes). `post` runs short work on
// the I/O threads; `runBlocking` moves blocking work to the pool and delivers its result
// back on an I/O thread. In a coroutine (orrery::Task), `co_await executors.blocking(work)`
// and `co_await executors.sleep(delay)` do the same without callbacks. Work a plugin posts is counted: when the plugin is stopped the
// host cancels its stop token and waits (up to the stop deadline) for that work to drain.
#pragma once

#include <atomic>
#include <chrono>
#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "orrery/cancellation.hpp"

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

  // `co_await executors.blocking(work)` in a Task: runs `work` on the blocking pool and
  // resumes the coroutine on an I/O thread with its result, or rethrows what it threw.
  // With g++ 12, name a capturing lambda before the co_await (`auto work = [s] {...};
  // co_await ex.blocking(std::move(work));`): a lambda temporary inside the co_await
  // expression has its captures destroyed twice (a GCC coroutine bug).
  template <class Work>
  auto blocking(Work work) {
    return BlockingAwaiter<Work>{*this, std::move(work), {}};
  }

  // `co_await executors.sleep(delay, token)` in a Task: resumes on an I/O thread after
  // `delay`, or as soon as `token` is cancelled; yields whether the whole delay passed.
  // Pass the plugin's stop token: a coroutine that is never resumed is never freed.
  auto sleep(std::chrono::milliseconds delay, CancellationToken token = {}) {
    return SleepAwaiter{*this, delay, std::move(token), {}, {}};
  }

 private:
  template <class Work>
  struct BlockingAwaiter {
    using R = std::invoke_result_t<Work&>;
    Executors& executors;
    Work work;
    Outcome<R> outcome;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> awaiting) {
      // The coroutine may resume on another thread before this returns: touch nothing after.
      executors.runBlocking(std::move(work), [this, awaiting](Outcome<R>& result) {
        outcome = std::move(result);
        awaiting.resume();
      });
    }
    R await_resume() {
      if constexpr (std::is_void_v<R>) {
        outcome.get();
      } else {
        return std::move(outcome.get());
      }
    }
  };

  struct SleepAwaiter {
    // Whichever comes first — the timer or the cancellation — resumes the coroutine.
    struct Race {
      std::atomic<bool> settled{false};
      std::atomic<bool> cancelled{false};
      std::coroutine_handle<> awaiting;
    };
    Executors& executors;
    std::chrono::milliseconds delay;
    CancellationToken token;
    std::shared_ptr<Race> race;
    CancellationRegistration registration;

    bool await_ready() const noexcept { return token.cancelled(); }
    void await_suspend(std::coroutine_handle<> awaiting) {
      race = std::make_shared<Race>();
      race->awaiting = awaiting;
      auto shared = race;
      // Registered first: once the timer is posted the coroutine may resume, and then
      // this awaiter may be gone.
      registration = token.onCancel([target = &executors, shared] {
        if (shared->settled.exchange(true)) return;
        shared->cancelled = true;
        target->post([shared] { shared->awaiting.resume(); });
      });
      executors.postAfter(delay, [shared] {
        if (!shared->settled.exchange(true)) shared->awaiting.resume();
      });
    }
    bool await_resume() const noexcept { return race && !race->cancelled; }
  };
};

}  // namespace orrery
