#include "core/http/auth_gate.hpp"

#include <stdexcept>

namespace orrery::server {

namespace {

http::HttpError unauthorized(const http::Authenticator& authenticator, std::string message) {
  http::HttpError error(401, std::move(message), "security_exception");
  for (auto& challenge : authenticator.challenges()) error.headers().add("WWW-Authenticate", std::move(challenge));
  return error;
}

}  // namespace

void AuthGate::claim(const std::string& owner) {
  if (sealed_) {
    throw std::logic_error("plugin '" + owner + "' tried to configure authentication after setup: only setup may");
  }
  if (mode_ != Mode::unset) {
    throw std::logic_error("plugin '" + owner + "' tried to configure authentication, which plugin '" + owner_ +
                           "' already did; only one plugin may");
  }
  owner_ = owner;
}

void AuthGate::setAuthenticator(std::shared_ptr<http::Authenticator> authenticator, const std::string& owner,
                                std::shared_ptr<void> library) {
  if (!authenticator) throw std::invalid_argument("plugin '" + owner + "' registered a null authenticator");
  std::lock_guard lock(mutex_);
  claim(owner);
  library_ = std::move(library);
  authenticator_ = std::move(authenticator);
  mode_ = Mode::enabled;
}

void AuthGate::disable(std::string reason, const std::string& owner) {
  std::lock_guard lock(mutex_);
  claim(owner);
  reason_ = std::move(reason);
  mode_ = Mode::disabled;
}

void AuthGate::seal(const std::function<bool(const std::string& owner)>& keep) {
  std::lock_guard lock(mutex_);
  if (mode_ != Mode::unset && !keep(owner_)) {
    mode_ = Mode::unset;
    authenticator_.reset();
    library_.reset();
    reason_.clear();
  }
  sealed_ = true;
}

AuthGate::Mode AuthGate::mode() const {
  std::lock_guard lock(mutex_);
  return mode_;
}

Task<void> AuthGate::authenticate(http::Request& request, http::Auth requirement) const {
  request.user = http::User::anonymous();
  if (requirement == http::Auth::none || mode_ == Mode::disabled) co_return;
  if (mode_ == Mode::unset) {
    if (requirement == http::Auth::required) {
      throw http::HttpError(503, "authentication is unavailable: no security plugin is running");
    }
    co_return;
  }
  auto result = co_await authenticator_->authenticate(request);
  switch (result.kind) {
    case http::AuthResult::Kind::authenticated:
      request.user = std::move(result.user);
      co_return;
    case http::AuthResult::Kind::noCredentials:
      if (requirement == http::Auth::required) {
        throw unauthorized(*authenticator_, "missing authentication credentials for REST request [" + request.path + "]");
      }
      co_return;
    case http::AuthResult::Kind::failed:
      throw unauthorized(*authenticator_, result.message.empty() ? "unable to authenticate user" : result.message);
  }
}

}  // namespace orrery::server
