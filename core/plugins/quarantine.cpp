#include "core/plugins/quarantine.hpp"

#include <mutex>
#include <vector>

namespace orrery::plugins {

namespace {
struct Kept {
  std::shared_ptr<void> library;
  std::shared_ptr<PluginRuntime> runtime;
  std::shared_ptr<orrery::Plugin> standard;
  std::shared_ptr<orrery::PrebootPlugin> preboot;
};

// Deliberately never destroyed: see the header.
std::vector<Kept>& kept() {
  static auto* items = new std::vector<Kept>();
  return *items;
}
std::mutex& keptMutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}
}  // namespace

void quarantine(std::shared_ptr<orrery::Plugin> standard, std::shared_ptr<orrery::PrebootPlugin> preboot,
                std::shared_ptr<PluginRuntime> runtime, std::shared_ptr<void> library) {
  std::lock_guard lock(keptMutex());
  kept().push_back(Kept{std::move(library), std::move(runtime), std::move(standard), std::move(preboot)});
}

std::size_t quarantined() {
  std::lock_guard lock(keptMutex());
  return kept().size();
}

}  // namespace orrery::plugins
