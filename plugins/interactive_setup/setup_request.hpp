// What the setup page sends: the verification code, the data connection and the first
// admin user, parsed from a JSON request body. Every problem is a SetupError naming the
// field at fault (in the page's own terms, e.g. "connection.url"), so the page can show it
// next to that field.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

namespace orrery::interactive_setup {

class SetupError : public std::runtime_error {
 public:
  SetupError(int status, std::string field, const std::string& message)
      : std::runtime_error(message), status_(status), field_(std::move(field)) {}
  int status() const { return status_; }
  const std::string& field() const { return field_; }  // "" when no single field is at fault

 private:
  int status_;
  std::string field_;
};

struct EmbeddedConnection {
  std::string path;  // as the operator typed it; resolved against the working folder on save
};

struct RemoteConnection {
  std::string url;  // http:// or https://, maybe with a path prefix; no trailing "/"
  std::string username;
  std::string password;
  std::string apiKey;
  std::string certificateAuthority;  // a PEM file, for https
};

struct Connection {
  std::optional<EmbeddedConnection> embedded;
  std::optional<RemoteConnection> remote;
};

struct AdminUser {
  std::string username;
  std::string password;
};

// {"type": "embedded", "path": "..."} or {"type": "remote", "url": ..., "username"?,
// "password"?, "apiKey"?, "certificateAuthority"?}. `where` prefixes field names.
Connection parseConnection(const nlohmann::json& value, const std::string& where = "connection");

// {"username", "password"}: a valid username, and a password that keeps the strength rule.
AdminUser parseAdmin(const nlohmann::json& value, const std::string& where = "admin");

// The code field of a body: six digits.
std::string parseCode(const nlohmann::json& body);

// The request body as a JSON object (400 naming the problem otherwise).
nlohmann::json parseBody(std::string_view text);

}  // namespace orrery::interactive_setup
