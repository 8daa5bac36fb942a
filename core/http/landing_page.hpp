// The main server's root page: where the setup page sends the browser when it has no
// `next`, and what an operator sees at the host's address. A few lines of HTML that say
// the host runs and where its APIs are; plugin pages live under /app.
#pragma once

#include <string>

#include "orrery/http/router.hpp"

namespace orrery::server {

http::Handler landingPageHandler(std::string version);

}  // namespace orrery::server
