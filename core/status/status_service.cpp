#include "core/status/status_service.hpp"

#include <algorithm>

namespace orrery::status {

std::string_view toString(PluginState state) {
  switch (state) {
    case PluginState::pending: return "pending";
    case PluginState::disabledInConfig: return "disabled in config";
    case PluginState::disabled: return "disabled";
    case PluginState::failed: return "failed";
    case PluginState::setUp: return "set up";
    case PluginState::started: return "started";
    case PluginState::stopped: return "stopped";
  }
  return "unknown";
}

namespace {
orrery::ServiceLevel worse(orrery::ServiceLevel a, orrery::ServiceLevel b) { return std::max(a, b); }

bool countsForOverall(PluginState state) {
  return state != PluginState::disabledInConfig && state != PluginState::stopped;
}
}  // namespace

void StatusService::registerPlugin(const std::string& id, const std::string& type, const std::string& version,
                                   std::vector<std::string> requiredPlugins) {
  std::lock_guard lock(mutex_);
  if (entries_.find(id) == entries_.end()) order_.push_back(id);
  Entry& entry = entries_[id];
  entry.type = type;
  entry.version = version;
  entry.requiredPlugins = std::move(requiredPlugins);
}

void StatusService::setState(const std::string& id, PluginState state, std::string reason) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.state = state;
  it->second.reason = std::move(reason);
}

bool StatusService::report(const std::string& id, orrery::ServiceLevel level, std::string summary) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  if (it->second.reported == level && it->second.reportedSummary == summary) return false;
  it->second.reported = level;
  it->second.reportedSummary = std::move(summary);
  return true;
}

PluginStatus StatusService::effective(const std::string& id, std::map<std::string, PluginStatus>& memo) const {
  if (auto it = memo.find(id); it != memo.end()) return it->second;
  const Entry& entry = entries_.at(id);
  PluginStatus status{id, entry.type, entry.version, entry.state, entry.reason, orrery::ServiceLevel::available, ""};
  switch (entry.state) {
    case PluginState::disabledInConfig:
    case PluginState::disabled:
    case PluginState::failed:
    case PluginState::stopped:
      status.level = orrery::ServiceLevel::unavailable;
      status.summary = entry.reason.empty() ? std::string(toString(entry.state)) : entry.reason;
      break;
    case PluginState::pending:
    case PluginState::setUp:
      status.level = orrery::ServiceLevel::degraded;
      status.summary = entry.state == PluginState::pending ? "not set up yet" : "set up, not started yet";
      break;
    case PluginState::started:
      status.level = entry.reported;
      status.summary = entry.reportedSummary.empty() ? "available" : entry.reportedSummary;
      break;
  }
  if (entry.state == PluginState::started || entry.state == PluginState::setUp) {
    for (const auto& dependency : entry.requiredPlugins) {
      if (entries_.find(dependency) == entries_.end()) continue;
      const PluginStatus dep = effective(dependency, memo);
      const auto capped = std::min(dep.level, orrery::ServiceLevel::degraded);
      if (capped > status.level) {
        status.level = worse(status.level, capped);
        status.summary = "depends on " + dependency + ", which is " + std::string(orrery::toString(dep.level)) +
                         ": " + dep.summary;
      }
    }
  }
  memo.emplace(id, status);
  return status;
}

StatusSnapshot StatusService::snapshot() const {
  std::lock_guard lock(mutex_);
  StatusSnapshot snapshot;
  std::map<std::string, PluginStatus> memo;
  std::vector<std::string> degraded;
  std::vector<std::string> unavailable;
  for (const auto& id : order_) {
    PluginStatus status = effective(id, memo);
    if (countsForOverall(status.state)) {
      snapshot.overall = worse(snapshot.overall, status.level);
      if (status.level == orrery::ServiceLevel::degraded) degraded.push_back(id);
      if (status.level == orrery::ServiceLevel::unavailable) unavailable.push_back(id);
    }
    snapshot.plugins.push_back(std::move(status));
  }
  auto join = [](const std::vector<std::string>& ids) {
    std::string text;
    for (const auto& id : ids) text += (text.empty() ? "" : ", ") + id;
    return text;
  };
  if (degraded.empty() && unavailable.empty()) {
    snapshot.summary = "all plugins are available";
  } else {
    if (!unavailable.empty()) snapshot.summary = "unavailable: " + join(unavailable);
    if (!degraded.empty()) snapshot.summary += (snapshot.summary.empty() ? "" : "; ") + std::string("degraded: ") + join(degraded);
  }
  return snapshot;
}

std::optional<PluginStatus> StatusService::plugin(const std::string& id) const {
  for (auto& status : snapshot().plugins) {
    if (status.id == id) return status;
  }
  return std::nullopt;
}

}  // namespace orrery::status
