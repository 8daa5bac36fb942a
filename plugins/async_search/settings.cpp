#include "settings.hpp"

#include <stdexcept>

#include "time_value.hpp"

namespace orrery::async_search {

void describeSettings(ConfigSchema& schema) {
  using namespace std::chrono_literals;
  constexpr auto day = std::chrono::hours(24);
  schema
      .duration("defaultKeepAlive", 5 * day, {.min = 1s, .max = 3650 * day},
                "how long a stored search is kept when its submit names no keep_alive")
      .duration("maxKeepAlive", 30 * day, {.min = 1s, .max = 3650 * day},
                "the longest keep_alive a submit, get or status may ask for")
      .bytes("maxResponseSize", 10 * 1024 * 1024, {.min = 1024, .max = 1024LL * 1024 * 1024},
             "the largest final response stored (Elasticsearch's search.max_async_search_response_size); a larger one is stored as a failure")
      .integer("maxRunningPerUser", 100, {.min = 1, .max = 100000},
               "async searches one user may have running at once on this host; more are refused with 429")
      .duration("cleanupInterval", 1h, {.min = 1s, .max = 30 * day},
                "how often the async_search:cleanup task deletes expired searches")
      .boolean("resumeOnRestart", false,
               "run again, after a restart, the searches the host was running when it stopped (same id, owner and expiry)");
}

PluginSettings readSettings(const PluginConfig& config) {
  PluginSettings settings;
  settings.service.keepAlive.defaultKeepAlive = config.getDuration("defaultKeepAlive");
  settings.service.keepAlive.maxKeepAlive = config.getDuration("maxKeepAlive");
  settings.service.maxResponseBytes = config.getBytes("maxResponseSize");
  settings.service.maxRunningPerUser = static_cast<int>(config.getInt("maxRunningPerUser"));
  settings.cleanupInterval = config.getDuration("cleanupInterval");
  settings.resumeOnRestart = config.getBool("resumeOnRestart");
  if (settings.service.keepAlive.defaultKeepAlive > settings.service.keepAlive.maxKeepAlive) {
    throw std::invalid_argument("async_search.defaultKeepAlive [" +
                                formatTimeValue(settings.service.keepAlive.defaultKeepAlive) +
                                "] must not exceed async_search.maxKeepAlive [" +
                                formatTimeValue(settings.service.keepAlive.maxKeepAlive) + "]");
  }
  return settings;
}

}  // namespace orrery::async_search
