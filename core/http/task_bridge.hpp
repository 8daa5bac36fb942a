// co_await an orrery::Task (the SDK's coroutine type) from an Asio coroutine. The task
// starts on the calling thread and may finish on any thread; the awaiting coroutine
// resumes on its own executor (the connection's strand).
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>

#include "orrery/task.hpp"

namespace orrery::server {

template <class T>
boost::asio::awaitable<T> awaitTask(orrery::Task<T> task) {
  namespace asio = boost::asio;
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
      [&task](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        orrery::startTask(std::move(task), [handler = std::move(handler), executor](std::exception_ptr error,
                                                                                  std::optional<T> value) mutable {
          asio::post(executor, [handler = std::move(handler), error, value = std::move(value)]() mutable {
            handler(error, value ? std::move(*value) : T{});
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace orrery::server
