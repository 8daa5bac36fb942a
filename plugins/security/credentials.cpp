#include "credentials.hpp"

#include <orrery/http/headers.hpp>

#include "sodium_helpers.hpp"

namespace orrery::security {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "left:right" from base64; the split is at the first colon (a password may hold more).
std::optional<std::pair<std::string, std::string>> decodePair(std::string_view encoded) {
  auto decoded = base64Decode(encoded);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) {
    wipe(*decoded);
    return std::nullopt;
  }
  std::pair<std::string, std::string> pair{decoded->substr(0, colon), decoded->substr(colon + 1)};
  wipe(*decoded);
  return pair;
}

}  // namespace

Credentials parseAuthorization(std::optional<std::string_view> header) {
  if (!header) return NoCredentials{};
  const auto value = trim(*header);
  const auto space = value.find(' ');
  const auto scheme = value.substr(0, space);
  const auto token = space == std::string_view::npos ? std::string_view() : trim(value.substr(space + 1));

  if (http::equalsIgnoreCase(scheme, "Basic")) {
    auto pair = decodePair(token);
    if (!pair) return MalformedCredentials{"malformed Basic credentials: expected base64(username:password)"};
    if (pair->first.empty()) return MalformedCredentials{"malformed Basic credentials: the username is empty"};
    return BasicCredentials{std::move(pair->first), std::move(pair->second)};
  }
  if (http::equalsIgnoreCase(scheme, "ApiKey")) {
    auto pair = decodePair(token);
    if (!pair || pair->first.empty() || pair->second.empty()) {
      return MalformedCredentials{"malformed ApiKey credentials: expected base64(id:api_key)"};
    }
    return ApiKeyCredentials{std::move(pair->first), std::move(pair->second)};
  }
  return NoCredentials{};
}

}  // namespace orrery::security
