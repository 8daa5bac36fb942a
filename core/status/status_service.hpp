// Per-plugin and overall status, as the operator sees it (logs now, `/api/status` once the
// HTTP layer serves it).
//
// A plugin's effective level is the worst of: its lifecycle state (failed or disabled by a
// dependency: unavailable), the level it reported itself, and — capped at degraded — the
// effective levels of the plugins it requires. The overall level is the worst effective
// level among plugins the operator did not disable and that are not stopped.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "orrery/status.hpp"

namespace orrery::status {

enum class PluginState { pending, disabledInConfig, disabled, failed, setUp, started, stopped };

std::string_view toString(PluginState state);

struct PluginStatus {
  std::string id;
  std::string type;  // "standard" or "preboot"
  std::string version;
  PluginState state = PluginState::pending;
  std::string reason;  // why disabled or failed
  orrery::ServiceLevel level = orrery::ServiceLevel::available;  // effective
  std::string summary;                                           // effective
};

struct StatusSnapshot {
  orrery::ServiceLevel overall = orrery::ServiceLevel::available;
  std::string summary;
  std::vector<PluginStatus> plugins;  // in start order
};

class StatusService {
 public:
  void registerPlugin(const std::string& id, const std::string& type, const std::string& version,
                      std::vector<std::string> requiredPlugins);
  void setState(const std::string& id, PluginState state, std::string reason = {});
  // A plugin's own report. Returns whether it changed anything.
  bool report(const std::string& id, orrery::ServiceLevel level, std::string summary);

  StatusSnapshot snapshot() const;
  std::optional<PluginStatus> plugin(const std::string& id) const;

 private:
  struct Entry {
    std::string type;
    std::string version;
    std::vector<std::string> requiredPlugins;
    PluginState state = PluginState::pending;
    std::string reason;
    orrery::ServiceLevel reported = orrery::ServiceLevel::available;
    std::string reportedSummary;
  };

  PluginStatus effective(const std::string& id, std::map<std::string, PluginStatus>& memo) const;

  mutable std::mutex mutex_;
  std::vector<std::string> order_;
  std::map<std::string, Entry> entries_;
};

}  // namespace orrery::status
