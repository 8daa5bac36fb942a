// Reads the Authorization header into the two credential forms the plugin accepts:
//
//   Authorization: Basic  base64(username:password)    (RFC 7617)
//   Authorization: ApiKey base64(id:api_key)           (Elasticsearch's form)
//
// Scheme names are case-insensitive. Any other scheme is not ours to judge, so it counts
// as no credentials rather than wrong ones.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace orrery::security {

struct NoCredentials {};
struct BasicCredentials {
  std::string username;
  std::string password;
};
struct ApiKeyCredentials {
  std::string id;
  std::string secret;
};
// Our scheme, but not decodable; `problem` is safe to send back (it holds no secret).
struct MalformedCredentials {
  std::string problem;
};

using Credentials = std::variant<NoCredentials, BasicCredentials, ApiKeyCredentials, MalformedCredentials>;

Credentials parseAuthorization(std::optional<std::string_view> header);

}  // namespace orrery::security
