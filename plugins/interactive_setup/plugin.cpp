// The bundled `interactive_setup` preboot plugin: on a first run (activation.hpp says
// exactly when) it holds the host in preboot, serves the setup page with a one-time
// verification code, and once the operator has saved a data connection and an admin
// user, lets the host reload its config and go on — without a restart.
#include <filesystem>
#include <memory>
#include <orrery/plugin.hpp>

#include "activation.hpp"
#include "routes.hpp"
#include "setup_session.hpp"

namespace orrery::interactive_setup {
namespace {

using namespace std::chrono_literals;

class InteractiveSetupPlugin final : public PrebootPlugin {
 public:
  static void describeConfig(ConfigSchema& schema) {
    schema
        .boolean("enabled", true,
                 "Offer the first-run setup page when the config names no data connection and no admin user exists")
        .duration("connectionTimeout", 10s, {.min = 100ms, .max = 5min},
                  "How long checking a remote cluster may take");
  }

  void setup(PrebootContext& ctx) override {
    const auto& host = ctx.hostConfig();
    const auto usersFile = usersFileFor(host, ctx.dataPath());
    const auto activation = decideActivation(ctx.config().getBool("enabled"), host, usersFile);
    if (!activation.active) {
      ctx.logger().info("interactive setup is not needed: " + activation.reason);
      ctx.status().report(ServiceLevel::available, "not needed: " + activation.reason);
      registerRoutes(ctx.http().router(), ctx.executors(), nullptr);
      return;
    }

    SessionPaths paths;
    paths.configFile = host.file();
    paths.usersFile = std::filesystem::absolute(usersFile).lexically_normal();
    paths.codeFile = std::filesystem::absolute(ctx.dataPath() / "interactive_setup" / "verification_code");
    paths.defaultDataFolder = std::filesystem::absolute(ctx.dataPath() / "indices").lexically_normal();
    paths.workingFolder = std::filesystem::current_path();

    codeFile_ = paths.codeFile;
    hold_ = ctx.preboot().holdSetupUntilResolved("waiting for the operator to finish the setup page");
    auto session = std::make_shared<SetupSession>(paths, makeRandomCode(), ctx.config().getDuration("connectionTimeout"),
                                                  [hold = hold_] { hold->resolve({.reloadConfig = true}); });
    session->code().writeTo(paths.codeFile);
    registerRoutes(ctx.http().router(), ctx.executors(), session);

    ctx.status().report(ServiceLevel::available, "waiting for the operator to finish the setup page");
    ctx.logger().info("interactive setup is needed: " + activation.reason);
    ctx.logger().info("Go to " + ctx.http().serverUrl() + "/?code=" + session->code().text() +
                      " to get started (the code is also in " + paths.codeFile.string() + ")");
  }

  // A code outlives neither setup nor the process that made it (a save removes it too).
  void stop() override {
    if (codeFile_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove(codeFile_, ignored);
  }

 private:
  // Dropping an unresolved hold would stop the host: keep it until the plugin goes.
  std::shared_ptr<SetupHold> hold_;
  std::filesystem::path codeFile_;
};

}  // namespace
}  // namespace orrery::interactive_setup

ORRERY_PLUGIN(orrery::interactive_setup::InteractiveSetupPlugin)
