// The setup page and its API, served by the preboot server:
//   GET  /                                  the page (only while setup is active)
//   GET  /interactive_setup/setup.{js,css}  its script and styles
//   GET  /internal/interactive_setup/status            state, attempts left, defaults
//   POST /internal/interactive_setup/verify            {code}
//   POST /internal/interactive_setup/check_connection  {code, connection}
//   POST /internal/interactive_setup/configure         {code, connection, admin}
// Once setup is saved — or when it was never needed — the API answers 400 "outside of
// preboot stage" (and after preboot, the host's main server says the same).
#pragma once

#include <memory>

#include <orrery/executors.hpp>
#include <orrery/http/router.hpp>

#include "setup_session.hpp"

namespace orrery::interactive_setup {

// `session` is null when setup is not active: only the refusing API routes are added.
void registerRoutes(http::Router& router, Executors& executors, std::shared_ptr<SetupSession> session);

}  // namespace orrery::interactive_setup
