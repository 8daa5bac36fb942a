// The bundled `async_search` plugin: Elasticsearch's _async_search on every search
// strategy of the data plugin. Wires the service to the host: its document type in
// storage, the cleanup task on task_manager, the /es and /internal routes, its contract,
// and what happens when the host stops (running searches recorded as stopped, resumed at
// the next start with resumeOnRestart).
#include <memory>
#include <orrery/data/search_service.hpp>
#include <orrery/plugin.hpp>
#include <orrery/task_manager/task_manager.hpp>

#include "cleanup_task.hpp"
#include "es_routes.hpp"
#include "ese_routes.hpp"
#include "search_record.hpp"
#include "settings.hpp"

namespace orrery::async_search {
namespace {

class AsyncSearchPlugin final : public Plugin {
 public:
  static void describeConfig(ConfigSchema& schema) { describeSettings(schema); }

  void setup(SetupContext& ctx) override {
    settings_ = readSettings(ctx.config());
    ctx.storage().registerType({kDocumentType, 1, {}});
    ctx.storage().registerIndex(kDocumentType, {"expirationTime"});  // the cleanup task's find
    ctx.storage().registerIndex(kDocumentType, {"state"});           // resumeOnRestart's find
    ctx.plugin<task_manager::TaskManagerSetup>("task_manager")
        ->registerTaskDefinitions({cleanupTaskDefinition(slot_, ctx.logger())});
    // Routes exist from setup on; they answer 503 until start has made the service.
    auto& executors = ctx.executors();
    registerEsRoutes(ctx.http(), slot_, executors);
    registerEseRoutes(ctx.http(), slot_, executors);
  }

  void start(StartContext& ctx) override {
    auto service = std::make_shared<AsyncSearchService>(ctx.plugin<data::SearchStart>("data"), ctx.storage(),
                                                        ctx.executors(), ctx.logger(), settings_.service);
    {
      std::lock_guard lock(slot_->mutex);
      slot_->service = service;
    }
    ctx.expose<AsyncSearchStart>(service);
    auto tasks = ctx.plugin<task_manager::TaskManagerStart>("task_manager");
    task_manager::TaskInstance cleanup{.id = kCleanupTaskId,
                                       .taskType = kCleanupTaskType,
                                       .schedule = task_manager::TaskSchedule{.interval = std::to_string(
                                                                                  settings_.cleanupInterval.count()) +
                                                                              "ms"}};
    Logger* logger = &ctx.logger();
    startTask(tasks->ensureScheduled(std::move(cleanup)),
              [logger](std::exception_ptr error, std::optional<task_manager::TaskInstance>) noexcept {
                if (!error) return;
                try {
                  std::rethrow_exception(error);
                } catch (const std::exception& e) {
                  logger->error(std::string("the async_search:cleanup task could not be scheduled: ") + e.what());
                } catch (...) {
                }
              });
    if (settings_.resumeOnRestart) {
      startTask(service->resumeStopped(), [logger](std::exception_ptr error, std::optional<std::size_t> resumed) noexcept {
        try {
          if (error) std::rethrow_exception(error);
          logger->info("resumeOnRestart: " + std::to_string(*resumed) + " async search(es) resumed");
        } catch (const std::exception& e) {
          logger->error(std::string("resumeOnRestart: stopped async searches could not be resumed: ") + e.what());
        } catch (...) {
        }
      });
    }
    ctx.status().report(ServiceLevel::available,
                        "keep_alive " + std::to_string(settings_.service.keepAlive.defaultKeepAlive.count() / 1000) +
                            "s by default, at most " + std::to_string(settings_.service.maxRunningPerUser) +
                            " running per user");
  }

  void stop() override {
    std::shared_ptr<AsyncSearchService> service;
    {
      std::lock_guard lock(slot_->mutex);
      service = std::move(slot_->service);
    }
    // Bounded well inside the host's stop deadline: the records are written by the
    // storage pool while this thread waits.
    if (service) service->stopAll(std::chrono::seconds(3));
  }

 private:
  PluginSettings settings_;
  std::shared_ptr<ServiceSlot> slot_ = std::make_shared<ServiceSlot>();
};

}  // namespace
}  // namespace orrery::async_search

ORRERY_PLUGIN(orrery::async_search::AsyncSearchPlugin)
