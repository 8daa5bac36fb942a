// The plugin's HTTP API, all under /internal/security and all for authenticated users:
//
//   GET    /internal/security/me        who the caller is
//   POST   /internal/security/api_key   create an API key for the caller
//   GET    /internal/security/api_key   list the caller's keys (never their secrets)
//   DELETE /internal/security/api_key   invalidate keys by id
#pragma once

#include <memory>
#include <orrery/http/router.hpp>

#include "security_state.hpp"

namespace orrery::security {

void registerRoutes(http::Router& router, std::shared_ptr<SecurityState> state);

}  // namespace orrery::security
