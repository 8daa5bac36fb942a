#include "cleanup_task.hpp"

namespace orrery::async_search {
namespace {

class CleanupRunner final : public task_manager::TaskRunner {
 public:
  CleanupRunner(std::shared_ptr<ServiceSlot> slot, Logger& logger) : slot_(std::move(slot)), logger_(logger) {}

  Task<task_manager::RunResult> run(task_manager::RunContext) override {
    auto service = slot_->get();
    if (!service) co_return task_manager::RunResult{};
    auto task = service->removeExpired();
    const auto removed = co_await std::move(task);
    // Tests and operators read this line to know a run happened.
    logger_.info("async_search:cleanup deleted " + std::to_string(removed) + " expired async search(es)",
                 {{"deleted", std::to_string(removed)}});
    co_return task_manager::RunResult{};
  }

 private:
  std::shared_ptr<ServiceSlot> slot_;
  Logger& logger_;
};

}  // namespace

task_manager::TaskDefinition cleanupTaskDefinition(std::shared_ptr<ServiceSlot> slot, Logger& logger) {
  task_manager::TaskDefinition definition;
  definition.type = kCleanupTaskType;
  definition.title = "Delete expired async searches";
  definition.timeout = std::chrono::minutes(10);
  definition.maxAttempts = 1;
  definition.maxConcurrency = 1;
  Logger* log = &logger;
  definition.createRunner = [slot = std::move(slot), log](const task_manager::TaskInstance&) {
    return std::make_unique<CleanupRunner>(slot, *log);
  };
  return definition;
}

}  // namespace orrery::async_search
