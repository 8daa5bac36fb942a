#include "authenticator.hpp"

#include <orrery/executors.hpp>
#include <orrery/logger.hpp>

#include "clock.hpp"
#include "password_hash.hpp"
#include "sodium_helpers.hpp"

namespace orrery::security {

http::User toRequestUser(const UserRecord& record, std::string authenticationType, std::string apiKeyId) {
  return http::User{record.username, record.fullName, record.roles, std::move(authenticationType), std::move(apiKeyId)};
}

SecurityAuthenticator::SecurityAuthenticator(std::shared_ptr<SecurityState> state) : state_(std::move(state)) {}

std::vector<std::string> SecurityAuthenticator::challenges() const {
  return {"Basic realm=\"orrery\", charset=\"UTF-8\"", "ApiKey"};
}

Task<http::AuthResult> SecurityAuthenticator::authenticate(const http::Request& request) {
  auto credentials = parseAuthorization(request.header("Authorization"));
  if (std::holds_alternative<NoCredentials>(credentials)) co_return http::AuthResult::none();
  co_await refreshUsersIfDue();
  if (auto* basicCredentials = std::get_if<BasicCredentials>(&credentials)) {
    co_return co_await basic(std::move(*basicCredentials), request);
  }
  if (const auto* keyCredentials = std::get_if<ApiKeyCredentials>(&credentials)) {
    co_return co_await apiKey(*keyCredentials, request);
  }
  co_return co_await failed(request, std::get<MalformedCredentials>(credentials).problem);
}

Task<void> SecurityAuthenticator::refreshUsersIfDue() {
  if (!state_->users.claimCheck(state_->clock.steadyNow())) co_return;
  // stat() and a file read: never on an I/O thread. (Every lambda handed to blocking() is
  // named first: g++ 12 destroys a capturing lambda written inside a co_await expression
  // twice.)
  auto reload = [state = state_] { state->users.reloadIfChanged(); };
  co_await state_->executors.blocking(std::move(reload));
}

Task<http::AuthResult> SecurityAuthenticator::basic(BasicCredentials credentials, const http::Request& request) {
  struct Wipe {
    std::string& secret;
    ~Wipe() { wipe(secret); }
  } wipeLater{credentials.password};

  const auto& username = credentials.username;
  if (!isValidName(username)) co_return co_await failed(request, "unable to authenticate user");
  const std::string failure = "unable to authenticate user [" + username + "]";
  const auto user = state_->users.find(username);
  if (user && state_->cache.contains(username, credentials.password, user->passwordHash, state_->clock.steadyNow())) {
    state_->limiter.recordSuccess(request.remoteAddress);
    co_return http::AuthResult::success(toRequestUser(*user, "basic"));
  }
  // argon2id costs ~100 ms and 64 MiB: the hashing pool's job, whose short queue refuses
  // a flood of credentials (503/429) rather than letting it take the threads of searches
  // and storage. An unknown user costs the same, so timing does not reveal which usernames
  // exist. The lambda borrows from this coroutine's frame, which stays alive while it is
  // suspended here.
  auto verify = [&user, &credentials] {
    return user ? verifyPassword(user->passwordHash, credentials.password) : verifyAgainstNothing(credentials.password);
  };
  const bool verified = co_await state_->executors.blocking(std::move(verify), Pool::hashing);
  if (!verified) co_return co_await failed(request, failure);
  state_->cache.insert(username, credentials.password, user->passwordHash, state_->clock.steadyNow());
  state_->limiter.recordSuccess(request.remoteAddress);
  co_return http::AuthResult::success(toRequestUser(*user, "basic"));
}

Task<http::AuthResult> SecurityAuthenticator::apiKey(const ApiKeyCredentials& credentials,
                                                     const http::Request& request) {
  if (!state_->settings.apiKeysEnabled) {
    co_return co_await failed(request, "API key authentication is disabled (security.apiKeys.enabled is false)");
  }
  const auto check = state_->apiKeys.check(credentials.id, credentials.secret, state_->clock.wallNow());
  using Outcome = ApiKeyCheck::Outcome;
  switch (check.outcome) {
    case Outcome::unknown:
    case Outcome::wrongSecret:
      co_return co_await failed(request, "unable to authenticate with the provided API key");
    case Outcome::expired:
      co_return co_await failed(request, "API key [" + check.key->id + "] has expired");
    case Outcome::invalidated:
      co_return co_await failed(request, "API key [" + check.key->id + "] has been invalidated");
    case Outcome::valid:
      break;
  }
  // The key acts as its owner with the owner's current roles; removing the user
  // disables their keys.
  const auto owner = state_->users.find(check.key->username);
  if (!owner) {
    co_return co_await failed(request, "the owner of API key [" + check.key->id + "] no longer exists");
  }
  state_->limiter.recordSuccess(request.remoteAddress);
  co_return http::AuthResult::success(toRequestUser(*owner, "api_key", check.key->id));
}

Task<http::AuthResult> SecurityAuthenticator::failed(const http::Request& request, std::string message) {
  const auto now = state_->clock.steadyNow();
  const auto delay = state_->limiter.recordFailure(request.remoteAddress, now);
  auto& logger = state_->logger;
  if (delay.count() > 0 &&
      state_->limiter.failures(request.remoteAddress, now) == state_->settings.failedLogins.threshold + 1) {
    logger.warn("repeated failed logins; delaying further answers to this address",
                {{"address", request.remoteAddress}, {"reason", message}});
  } else if (logger.enabled(LogLevel::debug)) {
    logger.debug("failed login", {{"address", request.remoteAddress}, {"reason", message}});
  }
  if (delay.count() > 0) co_await state_->executors.sleep(delay, state_->stopToken);
  co_return http::AuthResult::failure(std::move(message));
}

}  // namespace orrery::security
