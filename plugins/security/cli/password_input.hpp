// Reading a new password for `orrery users add|passwd`: typed twice without echo at a
// terminal, or one line from a pipe (`echo "$PASSWORD" | orrery users add alice`), so
// scripts never need to put a password on the command line, where `ps` would show it.
#pragma once

#include <string>
#include <string_view>

namespace orrery::security::cli {

// Throws std::runtime_error for an empty password, a mismatch at the terminal, or
// standard input closed before a line arrived.
std::string readNewPassword(std::string_view username);

}  // namespace orrery::security::cli
