#include "password_rule.hpp"

#include <algorithm>
#include <cctype>

namespace orrery::interactive_setup {

namespace {
std::size_t codePoints(std::string_view text) {
  // Continuation bytes are 10xxxxxx; every other byte starts a character.
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

std::string passwordProblem(std::string_view password, std::string_view username) {
  const auto length = codePoints(password);
  if (length < kMinPasswordLength) {
    return "The password is too short: " + std::to_string(length) + " characters, at least " +
           std::to_string(kMinPasswordLength) + " are needed.";
  }
  if (length > kMaxPasswordLength) {
    return "The password is too long: at most " + std::to_string(kMaxPasswordLength) + " characters.";
  }
  bool lower = false, upper = false, digit = false, other = false;
  for (const char c : password) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 'a' && u <= 'z') lower = true;
    else if (u >= 'A' && u <= 'Z') upper = true;
    else if (u >= '0' && u <= '9') digit = true;
    else other = true;  // punctuation, spaces and any non-ASCII character
  }
  if (int(lower) + int(upper) + int(digit) + int(other) < 3) {
    return "The password is too weak: use at least three of lowercase letters, uppercase letters, digits and "
           "other characters.";
  }
  if (!username.empty() && lowercase(password).find(lowercase(username)) != std::string::npos) {
    return "The password must not contain the username.";
  }
  return {};
}

}  // namespace orrery::interactive_setup
