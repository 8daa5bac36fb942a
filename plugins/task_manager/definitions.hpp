// The task types registered in setup, by type name. Read-only once start begins.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "orrery/task_manager/task_manager.hpp"

namespace orrery::task_manager {

class Definitions final : public TaskManagerSetup {
 public:
  void registerTaskDefinitions(std::vector<TaskDefinition> definitions) override;
  const TaskDefinition* find(const std::string& type) const;
  std::vector<std::string> types() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, TaskDefinition> byType_;
};

}  // namespace orrery::task_manager
