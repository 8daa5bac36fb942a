// Drives an orrery::Task to its end in a unit test: starts it, runs `drive` (e.g. a fake
// executor's queue), and REQUIREs that it finished — a task left hanging is a failure,
// not a stuck test. Returns its value or rethrows its exception.
#pragma once

#include <doctest/doctest.h>

#include <exception>
#include <optional>
#include <orrery/task.hpp>
#include <type_traits>
#include <utility>

namespace orrery::test {

inline void noDriving() {}

template <class T, class Drive = void (*)()>
T finishTask(Task<T> task, Drive drive = noDriving) {
  bool finished = false;
  std::exception_ptr error;
  if constexpr (std::is_void_v<T>) {
    startTask(std::move(task), [&](std::exception_ptr e) noexcept {
      finished = true;
      error = e;
    });
    drive();
    REQUIRE_MESSAGE(finished, "the task did not finish");
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<T> result;
    startTask(std::move(task), [&](std::exception_ptr e, std::optional<T> value) noexcept {
      finished = true;
      error = e;
      result = std::move(value);
    });
    drive();
    REQUIRE_MESSAGE(finished, "the task did not finish");
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
}

}  // namespace orrery::test
