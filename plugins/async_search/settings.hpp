// The `async_search.*` config section.
#pragma once

#include <chrono>
#include <orrery/config.hpp>

#include "async_search_service.hpp"

namespace orrery::async_search {

struct PluginSettings {
  ServiceSettings service;
  std::chrono::milliseconds cleanupInterval = std::chrono::hours(1);
  bool resumeOnRestart = false;
};

void describeSettings(ConfigSchema& schema);
// Throws std::invalid_argument when defaultKeepAlive exceeds maxKeepAlive.
PluginSettings readSettings(const PluginConfig& config);

}  // namespace orrery::async_search
