#include "settings.hpp"

#include <orrery/config.hpp>

namespace orrery::security {

using namespace std::chrono_literals;

void Settings::describe(ConfigSchema& schema) {
  const Settings defaults;
  schema.boolean("enabled", defaults.enabled, "Require authentication; false runs every request as the anonymous user")
      .string("usersFile", "", {},
              "The users file; empty means <path.data>/security/users.yml; a relative path is under path.data")
      .duration("usersFileCheckInterval", defaults.usersFileCheckInterval, {.min = 100ms, .max = 1h},
                "How often at most the users file is checked for changes")
      .duration("cache.ttl", defaults.cacheTtl, {.min = 0ms, .max = 24h},
                "How long a verified password is remembered; 0 disables the cache")
      .integer("cache.maxEntries", static_cast<std::int64_t>(defaults.cacheMaxEntries), {.min = 0, .max = 1'000'000},
               "How many verified passwords are remembered at most")
      .integer("failedLogins.threshold", defaults.failedLogins.threshold, {.min = 1, .max = 1000},
               "Consecutive failed logins from one address before answers are delayed")
      .duration("failedLogins.initialDelay", defaults.failedLogins.initialDelay, {.min = 1ms, .max = 1min},
                "The first delay; it doubles with each further failure")
      .duration("failedLogins.maxDelay", defaults.failedLogins.maxDelay, {.min = 1ms, .max = 1min}, "The longest delay")
      .duration("failedLogins.forgetAfter", defaults.failedLogins.forgetAfter, {.min = 1s, .max = 24h},
                "An address with no failure for this long starts afresh")
      .integer("failedLogins.maxTrackedAddresses", static_cast<std::int64_t>(defaults.failedLogins.maxAddresses),
               {.min = 1, .max = 10'000'000}, "How many addresses are tracked at most")
      .boolean("apiKeys.enabled", defaults.apiKeysEnabled, "Allow API key creation and authentication")
      .duration("apiKeys.retention", defaults.apiKeysRetention, {.min = 0ms},
                "How long invalidated and expired API keys stay listed before they are deleted");
}

Settings Settings::read(const PluginConfig& config, const std::filesystem::path& dataPath) {
  Settings settings;
  settings.enabled = config.getBool("enabled");
  const auto usersFile = config.getString("usersFile");
  settings.usersFile = usersFile.empty() ? dataPath / "security" / "users.yml" : dataPath / usersFile;
  settings.apiKeysFile = dataPath / "security" / "api_keys.json";
  settings.usersFileCheckInterval = config.getDuration("usersFileCheckInterval");
  settings.cacheTtl = config.getDuration("cache.ttl");
  settings.cacheMaxEntries = static_cast<std::size_t>(config.getInt("cache.maxEntries"));
  settings.failedLogins.threshold = static_cast<int>(config.getInt("failedLogins.threshold"));
  settings.failedLogins.initialDelay = config.getDuration("failedLogins.initialDelay");
  settings.failedLogins.maxDelay = config.getDuration("failedLogins.maxDelay");
  settings.failedLogins.forgetAfter = config.getDuration("failedLogins.forgetAfter");
  settings.failedLogins.maxAddresses = static_cast<std::size_t>(config.getInt("failedLogins.maxTrackedAddresses"));
  settings.apiKeysEnabled = config.getBool("apiKeys.enabled");
  settings.apiKeysRetention = config.getDuration("apiKeys.retention");
  return settings;
}

}  // namespace orrery::security
