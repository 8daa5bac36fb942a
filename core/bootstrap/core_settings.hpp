// The core's own settings (`path`, `logging`, `plugins`, `server`, `storage`, `executors`), read from the config
// tree before any plugin is discovered: logging and the plugin folders depend on them.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bootstrap/options.hpp"
#include "core/executors/pool_sizes.hpp"
#include "core/http/server_options.hpp"
#include "core/logging/logging_service.hpp"
#include "core/plugins/plugin_set.hpp"

namespace orrery::bootstrap {

struct CoreSettings {
  logging::LoggingSettings logging;
  std::filesystem::path dataPath;
  // storage.path: the SQLite file; unset means <path.data>/storage/orrery.db.
  std::optional<std::filesystem::path> storagePath;
  std::vector<std::filesystem::path> pluginPaths;  // plugins.paths
  plugins::LifecycleSettings lifecycle;
  server::ServerOptions server;
  executors::PoolSizes pools;  // executors.<pool>.threads / .queueSize
};

struct LoadedConfig {
  nlohmann::json tree;
  std::filesystem::path source;  // the file read, or empty when built-in defaults were used
  CoreSettings core;
  std::set<std::string> disabledPlugins;  // plugins.<id>.enabled: false
};

// Reads the config file (default config/orrery.yml; a missing default file means
// built-in defaults) and applies --set overrides. Throws StartupError(78) naming the
// file, line and key at fault.
LoadedConfig loadConfig(const Options& options);

// The core sections' part of the whole-tree check.
void appendCoreSections(std::vector<config::SectionSpec>& sections);

}  // namespace orrery::bootstrap
