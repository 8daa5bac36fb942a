// A SecurityState over a temporary folder, inline executors and a manual clock, with
// helpers to write users and build requests.
#pragma once

#include <sodium.h>

#include <memory>
#include <orrery/http/request.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "authenticator.hpp"
#include "fakes/inline_executors.hpp"
#include "fakes/manual_clock.hpp"
#include "fakes/recording_logger.hpp"
#include "security_state.hpp"
#include "sodium_helpers.hpp"
#include "tests/support/temp_dir.hpp"
#include "users_file.hpp"

namespace orrery::security::test {

// A real argon2id hash at libsodium's minimum cost: verifying it is as correct as with
// the production cost (the parameters are in the hash) but takes microseconds.
inline std::string cheapHash(const std::string& password) {
  ensureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                            crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("crypto_pwhash_str_alg failed");
  }
  return out;
}

inline UserRecord user(std::string name, const std::string& password, std::vector<std::string> roles = {},
                       std::string fullName = {}) {
  return UserRecord{std::move(name), cheapHash(password), std::move(fullName), std::move(roles)};
}

inline std::string basicHeader(const std::string& username, const std::string& password) {
  return "Basic " + base64Encode(username + ":" + password);
}

inline http::Request requestWith(std::string authorization, std::string address = "192.0.2.10") {
  http::Request request;
  request.path = "/internal/security/me";
  if (!authorization.empty()) request.headers.set("Authorization", std::move(authorization));
  request.remoteAddress = std::move(address);
  return request;
}

inline Settings testSettings(const std::filesystem::path& folder) {
  Settings settings;
  settings.usersFile = folder / "security" / "users.yml";
  settings.apiKeysFile = folder / "security" / "api_keys.json";
  return settings;
}

struct SecurityFixture {
  explicit SecurityFixture(std::vector<UserRecord> users = {}, std::function<void(Settings&)> adjust = {},
                           CancellationToken stopToken = {}) {
    auto settings = testSettings(dir.path());
    if (adjust) adjust(settings);
    if (!users.empty()) saveUsersFile(settings.usersFile, users);
    state = std::make_shared<SecurityState>(std::move(settings), executors, logger, clock, std::move(stopToken));
    state->load();
    authenticator = std::make_shared<SecurityAuthenticator>(state);
  }

  // Rewrites the users file and lets the reload interval pass, so the next
  // authentication re-reads it.
  void replaceUsers(const std::vector<UserRecord>& users) {
    saveUsersFile(state->settings.usersFile, users);
    clock.advance(state->settings.usersFileCheckInterval);
  }

  orrery::test::TempDir dir;
  InlineExecutors executors;
  RecordingLogger logger;
  ManualClock clock;
  std::shared_ptr<SecurityState> state;
  std::shared_ptr<SecurityAuthenticator> authenticator;
};

}  // namespace orrery::security::test
