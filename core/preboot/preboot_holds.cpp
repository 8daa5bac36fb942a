#include "core/preboot/preboot_holds.hpp"

#include <condition_variable>
#include <mutex>

namespace orrery::preboot {

struct PrebootHolds::State {
  struct Hold {
    std::string plugin;
    std::string reason;
    bool resolved = false;
  };

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Hold> setupHolds;
  std::vector<Hold> startHolds;
  bool reloadConfig = false;
  std::string setupRejection;
  std::string startRejection;
  bool interrupted = false;

  // Settles hold `index` of `holds`; the first settlement wins.
  void settle(std::vector<Hold>& holds, std::size_t index, std::string* rejection, std::string rejectReason,
              bool reload) {
    std::lock_guard lock(mutex);
    Hold& hold = holds[index];
    if (hold.resolved) return;
    hold.resolved = true;
    if (!rejectReason.empty() && rejection->empty()) {
      *rejection = hold.plugin + " rejected its hold (\"" + hold.reason + "\"): " + rejectReason;
    }
    if (reload) reloadConfig = true;
    changed.notify_all();
  }
};

namespace {

using State = PrebootHolds::State;

class SetupHoldImpl final : public orrery::SetupHold {
 public:
  SetupHoldImpl(std::shared_ptr<State> state, std::size_t index) : state_(std::move(state)), index_(index) {}
  ~SetupHoldImpl() override {
    state_->settle(state_->setupHolds, index_, &state_->setupRejection,
                   "the hold was dropped without being resolved", false);
  }
  void resolve(orrery::SetupHoldResult result) override {
    state_->settle(state_->setupHolds, index_, &state_->setupRejection, "", result.reloadConfig);
  }
  void reject(std::string reason) override {
    state_->settle(state_->setupHolds, index_, &state_->setupRejection,
                   reason.empty() ? "no reason given" : std::move(reason), false);
  }

 private:
  std::shared_ptr<State> state_;
  std::size_t index_;
};

class StartHoldImpl final : public orrery::StartHold {
 public:
  StartHoldImpl(std::shared_ptr<State> state, std::size_t index) : state_(std::move(state)), index_(index) {}
  ~StartHoldImpl() override {
    state_->settle(state_->startHolds, index_, &state_->startRejection,
                   "the hold was dropped without being resolved", false);
  }
  void resolve() override { state_->settle(state_->startHolds, index_, &state_->startRejection, "", false); }
  void reject(std::string reason) override {
    state_->settle(state_->startHolds, index_, &state_->startRejection,
                   reason.empty() ? "no reason given" : std::move(reason), false);
  }

 private:
  std::shared_ptr<State> state_;
  std::size_t index_;
};

bool anyPending(const std::vector<State::Hold>& holds) {
  for (const auto& hold : holds) {
    if (!hold.resolved) return true;
  }
  return false;
}

std::vector<std::string> pending(const std::vector<State::Hold>& holds) {
  std::vector<std::string> lines;
  for (const auto& hold : holds) {
    if (!hold.resolved) lines.push_back(hold.plugin + ": " + hold.reason);
  }
  return lines;
}

class PluginPrebootService final : public orrery::PrebootService {
 public:
  PluginPrebootService(std::shared_ptr<State> state, std::string plugin)
      : state_(std::move(state)), plugin_(std::move(plugin)) {}

  bool isSetupOnHold() const override {
    std::lock_guard lock(state_->mutex);
    return anyPending(state_->setupHolds);
  }
  bool isStartOnHold() const override {
    std::lock_guard lock(state_->mutex);
    return anyPending(state_->startHolds);
  }
  std::shared_ptr<orrery::SetupHold> holdSetupUntilResolved(std::string reason) override {
    std::lock_guard lock(state_->mutex);
    state_->setupHolds.push_back({plugin_, std::move(reason), false});
    return std::make_shared<SetupHoldImpl>(state_, state_->setupHolds.size() - 1);
  }
  std::shared_ptr<orrery::StartHold> holdStartUntilResolved(std::string reason) override {
    std::lock_guard lock(state_->mutex);
    state_->startHolds.push_back({plugin_, std::move(reason), false});
    return std::make_shared<StartHoldImpl>(state_, state_->startHolds.size() - 1);
  }

 private:
  std::shared_ptr<State> state_;
  std::string plugin_;
};

WaitResult waitFor(State& state, std::vector<State::Hold>& holds, const std::string& rejection, bool setup) {
  std::unique_lock lock(state.mutex);
  state.changed.wait(lock, [&] { return state.interrupted || !rejection.empty() || !anyPending(holds); });
  if (!rejection.empty()) return {WaitResult::Kind::rejected, false, rejection};
  if (state.interrupted) return {WaitResult::Kind::interrupted, false, {}};
  return {WaitResult::Kind::proceed, setup && state.reloadConfig, {}};
}

}  // namespace

PrebootHolds::PrebootHolds() : state_(std::make_shared<State>()) {}
PrebootHolds::~PrebootHolds() = default;

std::unique_ptr<orrery::PrebootService> PrebootHolds::serviceFor(std::string pluginId) {
  return std::make_unique<PluginPrebootService>(state_, std::move(pluginId));
}

bool PrebootHolds::isSetupOnHold() const {
  std::lock_guard lock(state_->mutex);
  return anyPending(state_->setupHolds);
}

bool PrebootHolds::isStartOnHold() const {
  std::lock_guard lock(state_->mutex);
  return anyPending(state_->startHolds);
}

std::vector<std::string> PrebootHolds::pendingSetupHolds() const {
  std::lock_guard lock(state_->mutex);
  return pending(state_->setupHolds);
}

std::vector<std::string> PrebootHolds::pendingStartHolds() const {
  std::lock_guard lock(state_->mutex);
  return pending(state_->startHolds);
}

WaitResult PrebootHolds::waitUntilCanSetup() {
  return waitFor(*state_, state_->setupHolds, state_->setupRejection, true);
}

WaitResult PrebootHolds::waitUntilCanStart() {
  return waitFor(*state_, state_->startHolds, state_->startRejection, false);
}

void PrebootHolds::interrupt() {
  std::lock_guard lock(state_->mutex);
  state_->interrupted = true;
  state_->changed.notify_all();
}

}  // namespace orrery::preboot
