// libFuzzer target for what the security plugin reads from outside: the Authorization
// header (any client sends it) and the users file (an operator writes it). Any bytes must
// give credentials or a clear rejection — never a crash, a hang or another exception —
// and a users file that parses must read back the same after formatting.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "credentials.hpp"
#include "users_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto credentials = orrery::security::parseAuthorization(text);
  if (const auto* basic = std::get_if<orrery::security::BasicCredentials>(&credentials)) {
    // Basic's user-id may not contain ':' (RFC 7617): the first colon splits.
    if (basic->username.find(':') != std::string::npos) std::abort();
  }
  try {
    const auto users = orrery::security::parseUsers(text, "fuzz.yml");
    const auto again = orrery::security::parseUsers(orrery::security::formatUsers(users), "formatted.yml");
    if (again.size() != users.size()) std::abort();
    for (std::size_t i = 0; i < users.size(); ++i) {
      if (again[i].username != users[i].username || again[i].roles != users[i].roles) std::abort();
    }
  } catch (const orrery::security::UsersFileError&) {
    // A clear rejection naming the file and field: what the parser promises.
  }
  return 0;
}
