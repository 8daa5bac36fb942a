// Drives a Task to completion in a test: starts it, then runs the InlineExecutors' queue
// until it is empty (tests/support/finish_task.hpp does the rest).
#pragma once

#include <orrery/task.hpp>
#include <utility>

#include "fakes/inline_executors.hpp"
#include "tests/support/finish_task.hpp"

namespace orrery::security::test {

template <class T>
T runTask(InlineExecutors& executors, Task<T> task) {
  return orrery::test::finishTask(std::move(task), [&executors] { executors.runAll(); });
}

}  // namespace orrery::security::test
