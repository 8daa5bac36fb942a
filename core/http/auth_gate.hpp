// Who may call a route: asks the registered Authenticator (the security plugin's) about a
// request and decides between the user, 401 and 503.
//
// Three modes. `enabled`: an authenticator decides. `disabled`: security was switched off
// by configuration, everyone is the anonymous user. `unset`: no plugin registered either
// (security plugin absent or failed) — routes that need a user answer 503, so losing the
// security plugin never opens the host up.
//
// Registration happens during setup; the gate is sealed before the main server serves,
// and is only read afterwards.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "orrery/http/auth.hpp"
#include "orrery/http/router.hpp"
#include "orrery/task.hpp"

namespace orrery::server {

class AuthGate {
 public:
  enum class Mode { unset, enabled, disabled };

  // Throws std::logic_error if an authenticator was registered or security disabled already.
  // `library` (the owner's) stays loaded while the authenticator is held.
  void setAuthenticator(std::shared_ptr<http::Authenticator> authenticator, const std::string& owner,
                        std::shared_ptr<void> library);
  void disable(std::string reason, const std::string& owner);
  // Forgets a registration whose owner is not running, then freezes the gate.
  void seal(const std::function<bool(const std::string& owner)>& keep);

  Mode mode() const;
  const std::string& owner() const { return owner_; }
  const std::string& disabledReason() const { return reason_; }

  // Sets request.user as `requirement` demands; throws http::HttpError (401 with the
  // authenticator's challenges, or 503) when the request may not go on.
  Task<void> authenticate(http::Request& request, http::Auth requirement) const;

 private:
  void claim(const std::string& owner);

  mutable std::mutex mutex_;
  Mode mode_ = Mode::unset;
  bool sealed_ = false;
  std::shared_ptr<void> library_;  // declared first: released after the authenticator
  std::shared_ptr<http::Authenticator> authenticator_;
  std::string owner_;
  std::string reason_;
};

}  // namespace orrery::server
