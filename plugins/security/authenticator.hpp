// The security plugin's answer to "who made this request?", registered with the host's
// HTTP service. Basic credentials are checked against the users file (argon2id on the
// blocking pool, or the verification cache); API keys against the key store. Failures
// from an address that keeps failing are answered late (FailureLimiter).
#pragma once

#include <memory>
#include <orrery/http/auth.hpp>
#include <string>
#include <vector>

#include "credentials.hpp"
#include "security_state.hpp"

namespace orrery::security {

class SecurityAuthenticator final : public http::Authenticator {
 public:
  explicit SecurityAuthenticator(std::shared_ptr<SecurityState> state);

  Task<http::AuthResult> authenticate(const http::Request& request) override;
  std::vector<std::string> challenges() const override;

 private:
  Task<void> refreshUsersIfDue();
  Task<http::AuthResult> basic(BasicCredentials credentials, const http::Request& request);
  Task<http::AuthResult> apiKey(const ApiKeyCredentials& credentials, const http::Request& request);
  // Counts the failure against the caller's address and answers after its delay.
  Task<http::AuthResult> failed(const http::Request& request, std::string message);

  std::shared_ptr<SecurityState> state_;
};

// The request user for a users-file entry.
http::User toRequestUser(const UserRecord& record, std::string authenticationType, std::string apiKeyId = {});

}  // namespace orrery::security
