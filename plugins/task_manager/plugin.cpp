// The bundled `task_manager` plugin: wires the engine to the host — its contracts, its
// document type in storage, its poll loop and GET /api/task_manager/_health.
#include <memory>
#include <mutex>
#include <orrery/http/json_body.hpp>
#include <orrery/plugin.hpp>

#include "definitions.hpp"
#include "health.hpp"
#include "settings.hpp"
#include "task_document.hpp"
#include "task_engine.hpp"

namespace orrery::task_manager {
namespace {

// The engine exists from start on; the health route is registered in setup.
struct EngineSlot {
  std::mutex mutex;
  std::shared_ptr<TaskEngine> engine;

  std::shared_ptr<TaskEngine> get() {
    std::lock_guard lock(mutex);
    return engine;
  }
};

Task<http::Response> health(std::shared_ptr<EngineSlot> slot) {
  auto engine = slot->get();
  if (!engine) throw http::HttpError(503, "the task manager has not started yet");
  const auto report = co_await healthReport(engine);
  co_return http::jsonResponse(200, report);
}

class TaskManagerPlugin final : public Plugin {
 public:
  static void describeConfig(ConfigSchema& schema) { describeSettings(schema); }

  void setup(SetupContext& ctx) override {
    settings_ = readSettings(ctx.config());
    registerTaskStorage(ctx.storage());
    definitions_->trackWith(&ctx.lifecycle());
    ctx.expose<TaskManagerSetup>(definitions_);
    auto slot = slot_;
    ctx.http().router().get("/api/task_manager/_health", [slot](http::Request&) { return health(slot); });
  }

  void start(StartContext& ctx) override {
    auto engine = std::make_shared<TaskEngine>(ctx.storage(), ctx.executors(), *definitions_, ctx.logger(), settings_);
    {
      std::lock_guard lock(slot_->mutex);
      slot_->engine = engine;
    }
    ctx.expose<TaskManagerStart>(engine);
    engine->startPolling(ctx.stopToken());
    ctx.status().report(ServiceLevel::available,
                        std::to_string(definitions_->types().size()) + " task types, capacity " +
                            std::to_string(settings_.capacity) + ", owner " + settings_.ownerId);
  }

  void stop() override {
    // The stop token ends the poll loop and cancels runs; the host drains what is left.
    std::lock_guard lock(slot_->mutex);
    slot_->engine.reset();
  }

 private:
  EngineSettings settings_;
  std::shared_ptr<Definitions> definitions_ = std::make_shared<Definitions>();
  std::shared_ptr<EngineSlot> slot_ = std::make_shared<EngineSlot>();
};

}  // namespace
}  // namespace orrery::task_manager

ORRERY_PLUGIN(orrery::task_manager::TaskManagerPlugin)
