// The task types registered in setup, by type name.
//
// A type is withdrawn when the plugin that registered it fails (the host tells us through
// LifecycleContext::trackRegistration): its tasks are then unrecognized until the type
// exists again, like tasks of a type no plugin registers. Each definition is shared, so
// a run already claimed keeps the definition it started with.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "orrery/lifecycle_context.hpp"
#include "orrery/task_manager/task_manager.hpp"

namespace orrery::task_manager {

using DefinitionRef = std::shared_ptr<const TaskDefinition>;

class Definitions final : public TaskManagerSetup, public std::enable_shared_from_this<Definitions> {
 public:
  // The lifecycle context registrations are tracked with (none: not tracked, as in
  // tests that use the registry alone).
  void trackWith(LifecycleContext* lifecycle) { lifecycle_ = lifecycle; }

  void registerTaskDefinitions(std::vector<TaskDefinition> definitions) override;
  DefinitionRef find(const std::string& type) const;
  std::vector<std::string> types() const;
  // Removes these types (those still registered); returns how many went.
  std::size_t withdraw(const std::vector<std::string>& types);

 private:
  LifecycleContext* lifecycle_ = nullptr;
  mutable std::mutex mutex_;
  std::map<std::string, DefinitionRef> byType_;
};

}  // namespace orrery::task_manager
