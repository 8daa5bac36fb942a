#include "security_state.hpp"

namespace orrery::security {

SecurityState::SecurityState(Settings settings_, Executors& executors_, Logger& logger_, const Clock& clock_,
                             CancellationToken stopToken_)
    : settings(std::move(settings_)),
      executors(executors_),
      logger(logger_),
      clock(clock_),
      stopToken(std::move(stopToken_)),
      users(settings.usersFile, settings.usersFileCheckInterval, logger),
      cache(settings.cacheTtl, settings.cacheMaxEntries),
      apiKeys(settings.apiKeysFile, settings.apiKeysRetention),
      limiter(settings.failedLogins) {}

void SecurityState::load() {
  users.load();
  apiKeys.load();
}

}  // namespace orrery::security
