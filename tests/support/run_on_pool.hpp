// Runs an orrery::Task on real executors from a test thread and waits for its end with a
// deadline: the test thread is not an I/O thread, so blocking it is fine. A task that
// does not finish in time fails the test instead of hanging it.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <orrery/task.hpp>
#include <type_traits>
#include <utility>

namespace orrery::test {

template <class T>
T runToEnd(Task<T> task, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  if constexpr (std::is_void_v<T>) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    startTask(std::move(task), [done](std::exception_ptr error) noexcept {
      if (error) {
        done->set_exception(error);
      } else {
        done->set_value();
      }
    });
    REQUIRE_MESSAGE(future.wait_for(deadline) == std::future_status::ready, "the task did not finish in time");
    future.get();
  } else {
    auto done = std::make_shared<std::promise<T>>();
    auto future = done->get_future();
    startTask(std::move(task), [done](std::exception_ptr error, std::optional<T> value) noexcept {
      if (error) {
        done->set_exception(error);
      } else {
        done->set_value(std::move(*value));
      }
    });
    REQUIRE_MESSAGE(future.wait_for(deadline) == std::future_status::ready, "the task did not finish in time");
    return future.get();
  }
}

}  // namespace orrery::test
