// Test plugin: logs every lifecycle call it receives, so tests can see which calls the
// host made and in which order. Its id chooses a failure:
//   ..._throws_in_setup — setup logs, then throws
//   ..._throws_in_start — start logs, then throws
#include <orrery/plugin.hpp>
#include <stdexcept>
#include <string>

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class LifecycleProbe final : public orrery::Plugin {
 public:
  void setup(orrery::SetupContext& ctx) override {
    logger_ = &ctx.logger();
    logger_->info("probe setup");
    if (endsWith(ctx.pluginId(), "_throws_in_setup")) throw std::runtime_error("probe setup failed on purpose");
  }
  void start(orrery::StartContext& ctx) override {
    logger_->info("probe start");
    if (endsWith(ctx.pluginId(), "_throws_in_start")) throw std::runtime_error("probe start failed on purpose");
  }
  void stop() override { logger_->info("probe stop"); }

 private:
  orrery::Logger* logger_ = nullptr;
};

}  // namespace

ORRERY_PLUGIN(LifecycleProbe)
