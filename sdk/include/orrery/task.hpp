// Task<T>: the coroutine type of the SDK. HTTP handlers and other asynchronous plugin
// code are written as `orrery::Task<T>` coroutines and `co_await` other tasks and the
// awaitables of Executors (blocking work, timers) — never blocking an I/O thread.
//
// A Task is lazy: nothing runs until it is awaited (or started by the host). Awaiting
// resumes the awaiting coroutine directly when the task finishes (symmetric transfer),
// and an exception thrown in the task is rethrown at the `co_await`.
//
// The SDK has its own small task type, not Asio's awaitable, so plugin code compiles
// without Asio or Beast and the host's I/O machinery stays an implementation detail.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace orrery {

template <class T = void>
class Task;

namespace detail {

struct TaskPromiseBase {
  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr error;

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) const noexcept {
      return self.promise().continuation;
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct TaskPromise : TaskPromiseBase {
  std::optional<T> value;

  Task<T> get_return_object() noexcept;
  template <class U>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& result) {
    value.emplace(std::forward<U>(result));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct TaskPromise<void> : TaskPromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool valid() const noexcept { return static_cast<bool>(handle_); }

  auto operator co_await() && noexcept {
    struct Awaiter {
      Handle handle;
      // An empty task (default-constructed, or moved from: awaited twice) is not
      // suspended on; await_resume reports it rather than dereferencing no coroutine.
      bool await_ready() const noexcept { return !handle || handle.done(); }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        handle.promise().continuation = awaiting;
        return handle;
      }
      T await_resume() {
        if (!handle) {
          throw std::logic_error("co_await on an empty orrery::Task (default-constructed or moved from)");
        }
        return handle.promise().take();
      }
    };
    return Awaiter{handle_};
  }

 private:
  Handle handle_;
};

namespace detail {

template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

// A coroutine that starts at once and frees itself when it ends: the bridge from
// callback code (the host) into a Task.
struct Detached {
  struct promise_type {
    Detached get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    // startTask catches everything the task throws; only `done` itself could get here.
    void unhandled_exception() const noexcept { std::terminate(); }
  };
};

template <class T, class Done>
Detached runDetached(Task<T> task, Done done) {
  std::exception_ptr error;
  if constexpr (std::is_void_v<T>) {
    try {
      co_await std::move(task);
    } catch (...) {
      error = std::current_exception();
    }
    done(error);
  } else {
    std::optional<T> value;
    try {
      value.emplace(co_await std::move(task));
    } catch (...) {
      error = std::current_exception();
    }
    done(error, std::move(value));
  }
}

}  // namespace detail

// Runs `task` now, on the calling thread until its first suspension, and calls
// `done(std::exception_ptr, std::optional<T>)` (or `done(std::exception_ptr)` for void)
// wherever it finishes. `done` must not throw. Used by the host to drive handlers, and by
// plugins to start a task from callback code.
template <class T, class Done>
void startTask(Task<T> task, Done done) {
  detail::runDetached(std::move(task), std::move(done));
}

}  // namespace orrery
