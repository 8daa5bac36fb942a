// GET /api/task_manager/_health: configuration, workload (counts by type and status,
// overdue tasks), runtime (drift and duration percentiles, outcome ratios per type, last
// successful poll) and capacity estimation (observed and required runs per minute).
#pragma once

#include <nlohmann/json.hpp>
#include <orrery/task.hpp>

#include "task_engine.hpp"

namespace orrery::task_manager {

// Reads every task document (in pages) to count the workload.
Task<nlohmann::json> healthReport(std::shared_ptr<TaskEngine> engine);

}  // namespace orrery::task_manager
