// co_await an orrery::Task (the SDK's coroutine type) from an Asio coroutine. The task
// starts on the calling thread. Most handlers finish without suspending: their result is
// taken at once, with no trip through the scheduler. A task that suspends may finish on
// any thread; the awaiting coroutine then resumes on its own executor (the connection's
// strand).
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "orrery/task.hpp"

namespace orrery::server {

template <class T>
boost::asio::awaitable<T> awaitTask(orrery::Task<T> task) {
  namespace asio = boost::asio;
  struct State {
    std::mutex mutex;
    bool done = false;
    std::exception_ptr error;
    std::optional<T> value;
    std::function<void()> resume;  // set once the awaiting coroutine has suspended
  };
  auto state = std::make_shared<State>();
  // Lambdas are named before use: g++ 12 destroys a lambda temporary written as an
  // argument inside a coroutine twice (the bug sdk/README.md describes for co_await).
  auto onDone = [state](std::exception_ptr error, std::optional<T> value) {
    std::function<void()> resume;
    {
      std::lock_guard lock(state->mutex);
      state->error = error;
      state->value = std::move(value);
      state->done = true;
      resume = std::move(state->resume);
    }
    if (resume) resume();
  };
  orrery::startTask(std::move(task), std::move(onDone));
  bool finished = false;
  {
    std::lock_guard lock(state->mutex);
    finished = state->done;
  }
  if (!finished) {
    auto initiate = [state](auto handler) {
      // Asio's handler is move-only; std::function needs a copyable callable.
      auto shared = std::make_shared<decltype(handler)>(std::move(handler));
      auto post = [shared] {
        auto executor = asio::get_associated_executor(*shared);
        asio::post(executor, std::move(*shared));
      };
      std::unique_lock lock(state->mutex);
      if (state->done) {  // finished between the check above and now
        lock.unlock();
        post();
      } else {
        state->resume = std::move(post);
      }
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(std::move(initiate), asio::use_awaitable);
  }
  if (state->error) std::rethrow_exception(state->error);
  co_return std::move(*state->value);
}

}  // namespace orrery::server
