// The strength rule for the first admin's password, stated on the setup page in the same
// words (kPasswordRule) that the errors use.
#pragma once

#include <string>
#include <string_view>

namespace orrery::interactive_setup {

inline constexpr std::string_view kPasswordRule =
    "At least 12 characters, with at least three of: lowercase letters, uppercase letters, digits, "
    "other characters; it must not contain the username.";

inline constexpr std::size_t kMinPasswordLength = 12;
inline constexpr std::size_t kMaxPasswordLength = 256;

// Why `password` breaks the rule for `username`, or "" when it keeps it. Lengths count
// characters (UTF-8 code points), not bytes.
std::string passwordProblem(std::string_view password, std::string_view username);

}  // namespace orrery::interactive_setup
