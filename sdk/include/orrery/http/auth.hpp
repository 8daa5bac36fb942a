// The authentication hook: the security plugin registers one Authenticator, and the host
// asks it about every request whose route needs (or may use) a user.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "orrery/http/request.hpp"
#include "orrery/task.hpp"

namespace orrery::http {

struct AuthResult {
  enum class Kind {
    authenticated,  // `user` is who made the request
    noCredentials,  // the request carries none this authenticator understands
    failed,         // it carries credentials, and they are wrong, expired or revoked
  };
  Kind kind = Kind::noCredentials;
  User user;
  // Why authentication failed; sent to the client, so never a secret.
  std::string message;

  static AuthResult success(User user) { return {Kind::authenticated, std::move(user), {}}; }
  static AuthResult none() { return {Kind::noCredentials, {}, {}}; }
  static AuthResult failure(std::string message) { return {Kind::failed, {}, std::move(message)}; }
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // Decides who made `request`. May suspend (password hashing belongs on the blocking pool).
  virtual Task<AuthResult> authenticate(const Request& request) = 0;
  // The WWW-Authenticate values sent with a 401, e.g. `Basic realm="orrery", charset="UTF-8"`.
  virtual std::vector<std::string> challenges() const = 0;
};

}  // namespace orrery::http
