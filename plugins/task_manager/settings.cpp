#include "settings.hpp"

#include <unistd.h>

namespace orrery::task_manager {

void describeSettings(ConfigSchema& schema) {
  using namespace std::chrono_literals;
  schema.integer("capacity", 10, {.min = 1, .max = 10000}, "task runs at once on this host")
      .duration("pollInterval", 500ms, {.min = 1ms, .max = std::nullopt},
                "how often due tasks are looked for when nothing wakes the poller earlier")
      .optional("ownerId", ConfigType::string,
                "this host's name in task documents (default <hostname>:<pid>); unique per host");
}

EngineSettings readSettings(const PluginConfig& config) {
  EngineSettings settings;
  settings.capacity = static_cast<unsigned>(config.getInt("capacity"));
  settings.pollInterval = config.getDuration("pollInterval");
  if (config.has("ownerId")) {
    settings.ownerId = config.getString("ownerId");
  } else {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    settings.ownerId = std::string(host);
    settings.ownerId.append(":").append(std::to_string(::getpid()));
  }
  return settings;
}

}  // namespace orrery::task_manager
