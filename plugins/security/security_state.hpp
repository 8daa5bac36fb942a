// Everything the authenticator and the routes share, built from the settings and owned
// together: the host may keep the authenticator (and with it this state) alive a little
// past the plugin's stop(), so neither side holds references into the plugin object.
#pragma once

#include <orrery/cancellation.hpp>

#include "api_key_store.hpp"
#include "failure_limiter.hpp"
#include "settings.hpp"
#include "user_directory.hpp"
#include "verification_cache.hpp"

namespace orrery {
class Executors;
class Logger;
}  // namespace orrery

namespace orrery::security {

class Clock;

struct SecurityState {
  // `stopToken` ends the delays of slowed-down failed logins when the plugin stops.
  SecurityState(Settings settings, Executors& executors, Logger& logger, const Clock& clock,
                CancellationToken stopToken = {});

  // Reads the users file and the API key file; throws (naming file and field) if either
  // is broken. Blocking, but small files: fine in setup, which runs on a host thread.
  void load();

  const Settings settings;
  Executors& executors;
  Logger& logger;
  const Clock& clock;
  const CancellationToken stopToken;
  UserDirectory users;
  VerificationCache cache;
  ApiKeyStore apiKeys;
  FailureLimiter limiter;
};

}  // namespace orrery::security
