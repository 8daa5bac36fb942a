// The host's executors, as a plugin sees them.
//
// Two kinds of thread exist: I/O threads (network, timers, callbacks — must never block)
// and bounded pools for blocking work, one per workload (Pool: search, write, storage,
// hashing, and the general `blocking` pool), each with a bounded queue so that one
// workload cannot starve the others. `post` runs short work on the I/O threads;
// `runBlocking` moves blocking work to a pool and delivers its result back on an I/O
// thread. In a coroutine (orrery::Task), `co_await executors.blocking(work, pool)` and
// `co_await executors.sleep(delay, token)` do the same without callbacks. A full queue
// refuses work with RejectedExecution (the host answers it 429 under /es, 503 with
// Retry-After under /api and /internal). Work a plugin posts is counted: when the plugin
// is stopped the host cancels its stop token and waits (up to the stop deadline) for that
// work to drain.
#pragma once

#include <atomic>
#include <chrono>
#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

// The pools of blocking work (SDK 1.4). Values are stable; new pools are appended. A host
// that does not know a pool runs the work on `blocking`.
enum class Pool : int {
  blocking = 0,  // the general pool: files, child processes, anything not below
  search = 1,    // searches: request parsing, index resolution, each shard's query
  write = 2,     // index and bulk writes, creating and deleting indices
  storage = 3,   // the core storage service's SQLite calls
  hashing = 4,   // password and API key hashing (argon2id)
};

inline std::string_view poolName(Pool pool) noexcept {
  switch (pool) {
    case Pool::search: return "search";
    case Pool::write: return "write";
    case Pool::storage: return "storage";
    case Pool::hashing: return "hashing";
    default: return "blocking";
  }
}

// A pool's queue was full: the work was not run and not kept. Route handlers may let it
// escape — the host answers 429 es_rejected_execution_exception under /es and 503 with
// Retry-After under /api and /internal — or answer it themselves.
class RejectedExecution : public std::runtime_error {
 public:
  RejectedExecution(Pool pool, std::size_t queueCapacity, const std::string& message)
      : std::runtime_error(message), pool_(pool), queueCapacity_(queueCapacity) {}
  Pool pool() const noexcept { return pool_; }
  std::size_t queueCapacity() const noexcept { return queueCapacity_; }

 private:
  Pool pool_;
  std::size_t queueCapacity_;
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
  // On `pool` (SDK 1.4): a full queue delivers RejectedExecution in the outcome, through
  // `done` on an I/O thread as any other failure.
  template <class Work, class Done>
  void runBlocking(Work work, Done done, Pool pool = Pool::blocking) {
    using R = std::invoke_result_t<Work&>;
    // std::function needs copyable callables; shared state keeps move-only results legal.
    auto state = std::make_shared<std::pair<Work, Done>>(std::move(work), std::move(done));
    auto run = [this, state] {
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
    };
    if (pool == Pool::blocking) {
      // The SDK 1.0 entry point: also what a host of any 1.x version implements.
      postBlocking(std::move(run));
      return;
    }
    try {
      postBlockingOn(pool, std::move(run));
    } catch (const RejectedExecution&) {
      auto outcome = std::make_shared<Outcome<R>>();
      outcome->error = std::current_exception();
      post([state, outcome] { state->second(*outcome); });
    }
  }

  // `co_await executors.blocking(work)` in a Task: runs `work` on the blocking pool and
  // resumes the coroutine on an I/O thread with its result, or rethrows what it threw.
  // With g++ 12, name a capturing lambda before the co_await (`auto work = [s] {...};
  // co_await ex.blocking(std::move(work));`): a lambda temporary inside the co_await
  // expression has its captures destroyed twice (a GCC coroutine bug).
  // On `pool` (SDK 1.4), a full queue rethrows RejectedExecution from the co_await.
  template <class Work>
  auto blocking(Work work, Pool pool = Pool::blocking) {
    return BlockingAwaiter<Work>{*this, std::move(work), pool, {}};
  }

  // `co_await executors.sleep(delay, token)` in a Task: resumes on an I/O thread after
  // `delay`, or as soon as `token` is cancelled; yields whether the whole delay passed.
  // Pass the plugin's stop token: a coroutine that is never resumed is never freed. A
  // cancel also cancels the timer (SDK 1.4), so stopping never waits for the deadline.
  auto sleep(std::chrono::milliseconds delay, CancellationToken token = {}) {
    return SleepAwaiter{*this, delay, std::move(token), false};
  }

  // ---- SDK 1.4: appended; older plugins never call these. ----

  // Runs `work` on `pool`, or throws RejectedExecution when the pool's queue is full (the
  // work is then destroyed without running). The default, for executors written before
  // 1.4 (test doubles), ignores the pool.
  virtual void postBlockingOn(Pool pool, std::function<void()> work) {
    (void)pool;
    postBlocking(std::move(work));
  }

  // Runs `done(true)` on an I/O thread after `delay`, or `done(false)` as soon as `token`
  // is cancelled — exactly once. The host cancels its timer on a cancel, so no timer stays
  // pending (and counted as the plugin's work) until the deadline. The default, for
  // executors written before 1.4 (test doubles), races a plain postAfter.
  virtual void postAfterOrCancel(std::chrono::milliseconds delay, CancellationToken token,
                                 std::function<void(bool elapsed)> done) {
    struct Race {
      std::atomic<bool> settled{false};
      std::function<void(bool)> done;
      CancellationRegistration registration;
    };
    auto race = std::make_shared<Race>();
    race->done = std::move(done);
    race->registration = token.onCancel([this, weak = std::weak_ptr<Race>(race)] {
      auto shared = weak.lock();
      if (!shared || shared->settled.exchange(true)) return;
      post([shared] { shared->done(false); });
    });
    postAfter(delay, [race] {
      if (!race->settled.exchange(true)) race->done(true);
    });
  }

 private:
  template <class Work>
  struct BlockingAwaiter {
    using R = std::invoke_result_t<Work&>;
    Executors& executors;
    Work work;
    Pool pool;
    Outcome<R> outcome;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> awaiting) {
      // The coroutine may resume on another thread before this returns: touch nothing after.
      executors.runBlocking(
          std::move(work),
          [this, awaiting](Outcome<R>& result) {
            outcome = std::move(result);
            awaiting.resume();
          },
          pool);
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
    Executors& executors;
    std::chrono::milliseconds delay;
    CancellationToken token;
    bool elapsed;

    bool await_ready() const noexcept { return token.cancelled(); }
    void await_suspend(std::coroutine_handle<> awaiting) {
      // The coroutine may resume on another thread before this returns: touch nothing after.
      executors.postAfterOrCancel(delay, token, [this, awaiting](bool whole) {
        elapsed = whole;
        awaiting.resume();
      });
    }
    bool await_resume() const noexcept { return elapsed; }
  };
};

}  // namespace orrery
