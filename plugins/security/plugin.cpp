// The bundled `security` plugin: users from a users file, HTTP Basic and API key
// authentication, and the /internal/security routes. The logic lives in security_lib;
// this file only wires it to the host.
#include <memory>
#include <mutex>
#include <orrery/plugin.hpp>

#include "authenticator.hpp"
#include "clock.hpp"
#include "routes.hpp"
#include "security_state.hpp"
#include "settings.hpp"

namespace orrery::security {
namespace {

// Forwards user-count changes to the status reporter until stop(): the users file may be
// reloaded on the blocking pool at any moment, but the reporter is valid only until then.
// No users is not an error (a fresh install has none), so it stays `available` and says
// what to do; the log carries the warning.
class StatusForwarder {
 public:
  explicit StatusForwarder(StatusReporter& status) : status_(&status) {}

  void usersChanged(std::size_t count) {
    std::lock_guard lock(mutex_);
    if (!status_) return;
    if (count == 0) {
      status_->report(ServiceLevel::available,
                      "no users yet, so nobody can log in: add one with `orrery users add NAME`");
    } else {
      status_->report(ServiceLevel::available, std::to_string(count) + (count == 1 ? " user" : " users"));
    }
  }
  void detach() {
    std::lock_guard lock(mutex_);
    status_ = nullptr;
  }

 private:
  std::mutex mutex_;
  StatusReporter* status_;
};

class SecurityPlugin final : public Plugin {
 public:
  static void describeConfig(ConfigSchema& schema) { Settings::describe(schema); }

  void setup(SetupContext& ctx) override {
    auto settings = Settings::read(ctx.config(), ctx.dataPath());
    if (!settings.enabled) {
      ctx.http().disableAuthentication("security.enabled is false");
      ctx.status().report(ServiceLevel::available, "authentication is disabled (security.enabled: false)");
      return;
    }
    state_ = std::make_shared<SecurityState>(std::move(settings), ctx.executors(), ctx.logger(), Clock::system(),
                                             ctx.stopToken());
    status_ = std::make_shared<StatusForwarder>(ctx.status());
    state_->users.setChangeListener([status = status_](std::size_t count) { status->usersChanged(count); });
    state_->load();  // throws, failing the plugin, if a file is broken: no guessing who may log in
    ctx.http().registerAuthenticator(std::make_shared<SecurityAuthenticator>(state_));
    registerRoutes(ctx.http().router(), state_);
  }

  void stop() override {
    if (status_) status_->detach();
  }

 private:
  std::shared_ptr<SecurityState> state_;
  std::shared_ptr<StatusForwarder> status_;
};

}  // namespace
}  // namespace orrery::security

ORRERY_PLUGIN(orrery::security::SecurityPlugin)
