#include "definitions.hpp"

#include <stdexcept>

namespace orrery::task_manager {

void Definitions::registerTaskDefinitions(std::vector<TaskDefinition> definitions) {
  std::unique_lock lock(mutex_);
  for (auto& definition : definitions) {
    const std::string what = "task definition '" + definition.type + "'";
    if (definition.type.empty()) throw std::invalid_argument("a task definition needs a type");
    if (byType_.count(definition.type) != 0) throw std::invalid_argument(what + " is registered already");
    if (definition.maxAttempts == 0) throw std::invalid_argument(what + ": maxAttempts must be at least 1");
    if (definition.timeout <= std::chrono::milliseconds::zero()) throw std::invalid_argument(what + ": timeout must be positive");
    if (definition.maxConcurrency && *definition.maxConcurrency == 0) {
      throw std::invalid_argument(what + ": maxConcurrency must be at least 1");
    }
    if (!definition.createRunner) throw std::invalid_argument(what + ": createRunner is missing");
  }
  std::vector<std::string> types;
  for (auto& definition : definitions) {
    types.push_back(definition.type);
    byType_.emplace(types.back(), std::make_shared<const TaskDefinition>(std::move(definition)));
  }
  lock.unlock();
  // Tied to the plugin registering them: if it fails, the host withdraws them, as their
  // runner factories belong to a plugin that is gone.
  if (lifecycle_ != nullptr) {
    lifecycle_->trackRegistration([weak = weak_from_this(), types] {
      if (auto self = weak.lock()) self->withdraw(types);
    });
  }
}

std::size_t Definitions::withdraw(const std::vector<std::string>& types) {
  std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  for (const auto& type : types) removed += byType_.erase(type);
  return removed;
}

DefinitionRef Definitions::find(const std::string& type) const {
  std::lock_guard lock(mutex_);
  const auto found = byType_.find(type);
  return found == byType_.end() ? nullptr : found->second;
}

std::vector<std::string> Definitions::types() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [type, definition] : byType_) names.push_back(type);
  return names;
}

}  // namespace orrery::task_manager
