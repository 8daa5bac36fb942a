// The plugin's configuration (section `security`): what an operator can set, with
// defaults, and the typed values the rest of the plugin reads.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>

#include "failure_limiter.hpp"

namespace orrery {
class ConfigSchema;
class PluginConfig;
}  // namespace orrery

namespace orrery::security {

struct Settings {
  bool enabled = true;
  std::filesystem::path usersFile;
  std::filesystem::path apiKeysFile;
  std::chrono::milliseconds usersFileCheckInterval{1000};
  std::chrono::milliseconds cacheTtl{5 * 60 * 1000};
  std::size_t cacheMaxEntries = 1000;
  FailureLimits failedLogins;
  bool apiKeysEnabled = true;
  std::chrono::milliseconds apiKeysRetention{7LL * 24 * 60 * 60 * 1000};

  // The schema the host validates `security.*` against.
  static void describe(ConfigSchema& schema);
  // The validated values; relative files are under `dataPath`, as are the defaults
  // (<dataPath>/security/users.yml and api_keys.json).
  static Settings read(const PluginConfig& config, const std::filesystem::path& dataPath);
};

}  // namespace orrery::security
