// A TaskInstance as the JSON body of a storage document of type "task", and back.
// Times are stored as epoch milliseconds so that storage filters compare them as numbers.
#pragma once

#include <string>

#include "orrery/storage.hpp"
#include "orrery/task_manager/task_manager.hpp"

namespace orrery::task_manager {

inline constexpr const char* kTaskType = "task";

// Registers the "task" document type and the indexes the engine's finds use (the claim,
// the lease expiry, the next due task, fetch by type). Setup only.
void registerTaskStorage(storage::Storage& storage);

std::string toBody(const TaskInstance& task);
// Throws std::invalid_argument naming the field if the body is not a task document.
TaskInstance fromDocument(const storage::Document& document);
std::optional<TaskStatus> parseStatus(std::string_view text);
std::int64_t epochMillis(TimePoint time);

}  // namespace orrery::task_manager
