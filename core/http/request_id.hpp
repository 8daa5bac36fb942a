// Request ids: the client's X-Request-Id when it is a sane token, else a fresh random one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orrery::server {

// At most 128 characters of [A-Za-z0-9._:-] are accepted from a client; anything else is
// replaced, so ids are safe to log and to echo in a header.
std::string requestIdFor(std::optional<std::string_view> clientId);

}  // namespace orrery::server
