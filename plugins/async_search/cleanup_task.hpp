// The recurring task `async_search:cleanup` on task_manager: every cleanupInterval it
// deletes expired stored searches and cancels expired running ones. Through task_manager
// its runs are leased, so of several hosts on one store one runs it at a time.
#pragma once

#include <memory>
#include <orrery/logger.hpp>
#include <orrery/task_manager/task_manager.hpp>

#include "service_slot.hpp"

namespace orrery::async_search {

inline constexpr const char* kCleanupTaskType = "async_search:cleanup";
inline constexpr const char* kCleanupTaskId = "async_search:cleanup";

task_manager::TaskDefinition cleanupTaskDefinition(std::shared_ptr<ServiceSlot> slot, Logger& logger);

}  // namespace orrery::async_search
