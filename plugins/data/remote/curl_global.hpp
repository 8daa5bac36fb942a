// libcurl's process-wide initialisation, in one place for every user of curl in the
// bundled plugins (the remote strategy's cluster client, interactive_setup's connection
// check). Call it before the first curl_easy_init; it is cheap after the first call.
#pragma once

#include <string>

namespace orrery::data {

// Empty when curl is ready, else curl's reason why it could not initialise.
std::string initCurlGlobally();

}  // namespace orrery::data
