// The authenticator's decisions on hand-built requests.
#include <doctest/doctest.h>

#include "run_task.hpp"
#include "security_fixture.hpp"

using namespace orrery::security;
using namespace orrery::security::test;
using orrery::http::AuthResult;
using namespace std::chrono_literals;
using Kind = AuthResult::Kind;

namespace {

AuthResult authenticate(SecurityFixture& f, const std::string& authorization,
                        const std::string& address = "192.0.2.10") {
  const auto request = requestWith(authorization, address);
  return runTask(f.executors, f.authenticator->authenticate(request));
}

}  // namespace

TEST_CASE("no Authorization header, or a scheme that is not ours, is no credentials") {
  SecurityFixture f({user("alice", "pw")});
  CHECK(authenticate(f, "").kind == Kind::noCredentials);
  CHECK(authenticate(f, "Bearer abc.def").kind == Kind::noCredentials);
  CHECK(f.executors.blockingCalls == 0);  // nothing to check, nothing hashed or read
}

TEST_CASE("the challenges offer Basic and ApiKey") {
  SecurityFixture f;
  CHECK(f.authenticator->challenges() ==
        std::vector<std::string>{"Basic realm=\"orrery\", charset=\"UTF-8\"", "ApiKey"});
}

TEST_CASE("correct Basic credentials give the user from the users file") {
  SecurityFixture f({user("alice", "correct horse", {"superuser"}, "Alice Example")});
  const auto result = authenticate(f, basicHeader("alice", "correct horse"));
  REQUIRE(result.kind == Kind::authenticated);
  CHECK(result.user.username == "alice");
  CHECK(result.user.fullName == "Alice Example");
  CHECK(result.user.roles == std::vector<std::string>{"superuser"});
  CHECK(result.user.authenticationType == "basic");
  CHECK(result.user.apiKeyId.empty());
}

TEST_CASE("wrong, unknown or malformed Basic credentials fail without echoing secrets") {
  SecurityFixture f({user("alice", "correct horse")});
  auto result = authenticate(f, basicHeader("alice", "battery staple"));
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "unable to authenticate user [alice]");
  result = authenticate(f, basicHeader("mallory", "battery staple"));
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "unable to authenticate user [mallory]");
  result = authenticate(f, basicHeader("bad name", "x"));
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "unable to authenticate user");
  result = authenticate(f, "Basic not*base64");
  CHECK(result.kind == Kind::failed);
  CHECK(result.message.find("malformed Basic credentials") != std::string::npos);
  for (const auto& record : f.logger.records) CHECK(record.message.find("battery") == std::string::npos);
}

TEST_CASE("password verification runs on the blocking pool once, then comes from the cache") {
  SecurityFixture f({user("alice", "pw")});
  CHECK(authenticate(f, basicHeader("alice", "pw")).kind == Kind::authenticated);
  const int afterFirst = f.executors.blockingCalls;
  CHECK(afterFirst >= 1);  // the argon2id verification (plus the first users-file check)
  CHECK(authenticate(f, basicHeader("alice", "pw")).kind == Kind::authenticated);
  CHECK(f.executors.blockingCalls == afterFirst);
  CHECK(f.state->cache.size() == 1);
  // A wrong password is not answered from the cache.
  CHECK(authenticate(f, basicHeader("alice", "wrong")).kind == Kind::failed);
  CHECK(f.executors.blockingCalls == afterFirst + 1);
}

TEST_CASE("a changed password or a removed user takes effect once the users file is re-read") {
  SecurityFixture f({user("alice", "old"), user("bob", "pw")});
  CHECK(authenticate(f, basicHeader("alice", "old")).kind == Kind::authenticated);
  CHECK(authenticate(f, basicHeader("bob", "pw")).kind == Kind::authenticated);

  f.replaceUsers({user("alice", "new")});
  CHECK(authenticate(f, basicHeader("alice", "old")).kind == Kind::failed);  // cached, but for the old hash
  CHECK(authenticate(f, basicHeader("alice", "new")).kind == Kind::authenticated);
  CHECK(authenticate(f, basicHeader("bob", "pw")).kind == Kind::failed);
}

TEST_CASE("a user added to the file can log in after the check interval, without a restart") {
  SecurityFixture f;
  CHECK(authenticate(f, basicHeader("carol", "pw")).kind == Kind::failed);
  saveUsersFile(f.state->settings.usersFile, {user("carol", "pw")});
  f.clock.advance(500ms);  // within the interval: the file is not checked again yet
  CHECK(authenticate(f, basicHeader("carol", "pw")).kind == Kind::failed);
  f.clock.advance(500ms);
  CHECK(authenticate(f, basicHeader("carol", "pw")).kind == Kind::authenticated);
}

TEST_CASE("repeated failures from one address are answered later and later; a success resets") {
  SecurityFixture f({user("alice", "pw")}, [](Settings& s) {
    s.failedLogins.threshold = 3;
    s.failedLogins.initialDelay = 100ms;
    s.failedLogins.maxDelay = 300ms;
  });
  const auto bad = basicHeader("alice", "guess");
  for (int i = 0; i < 3; ++i) CHECK(authenticate(f, bad).kind == Kind::failed);
  CHECK(f.executors.delays.empty());
  for (int i = 0; i < 3; ++i) CHECK(authenticate(f, bad).kind == Kind::failed);
  CHECK(f.executors.delays == std::vector<std::chrono::milliseconds>{100ms, 200ms, 300ms});
  CHECK(f.logger.has(orrery::LogLevel::warn, "repeated failed logins"));

  // Another address is not slowed down by this one.
  CHECK(authenticate(f, bad, "198.51.100.7").kind == Kind::failed);
  CHECK(f.executors.delays.size() == 3);

  CHECK(authenticate(f, basicHeader("alice", "pw")).kind == Kind::authenticated);
  CHECK(authenticate(f, bad).kind == Kind::failed);
  CHECK(f.executors.delays.size() == 3);  // counting starts again
}

TEST_CASE("once the plugin is stopping, failures are answered without the delay") {
  orrery::CancellationSource stopping;
  SecurityFixture f(
      {user("alice", "pw")}, [](Settings& s) { s.failedLogins.threshold = 1; }, stopping.token());
  CHECK(authenticate(f, basicHeader("alice", "guess")).kind == Kind::failed);
  CHECK(authenticate(f, basicHeader("alice", "guess")).kind == Kind::failed);
  CHECK(f.executors.delays.size() == 1);
  stopping.cancel();
  CHECK(authenticate(f, basicHeader("alice", "guess")).kind == Kind::failed);
  CHECK(f.executors.delays.size() == 1);
}

TEST_CASE("API keys authenticate as their owner, with the owner's current roles") {
  SecurityFixture f({user("alice", "pw", {"superuser"}, "Alice")});
  const auto created = f.state->apiKeys.create("alice", "ci", 1h, f.clock.wallNow());
  auto result = authenticate(f, "ApiKey " + created.encoded);
  REQUIRE(result.kind == Kind::authenticated);
  CHECK(result.user.username == "alice");
  CHECK(result.user.fullName == "Alice");
  CHECK(result.user.roles == std::vector<std::string>{"superuser"});
  CHECK(result.user.authenticationType == "api_key");
  CHECK(result.user.apiKeyId == created.key.id);

  result = authenticate(f, "ApiKey " + base64Encode(created.key.id + ":wrong"));
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "unable to authenticate with the provided API key");

  f.clock.advance(1h);
  result = authenticate(f, "ApiKey " + created.encoded);
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "API key [" + created.key.id + "] has expired");
}

TEST_CASE("invalidated keys and keys whose owner was removed fail") {
  SecurityFixture f({user("alice", "pw"), user("bob", "pw")});
  const auto alices = f.state->apiKeys.create("alice", "a", std::nullopt, f.clock.wallNow());
  const auto bobs = f.state->apiKeys.create("bob", "b", std::nullopt, f.clock.wallNow());
  f.state->apiKeys.invalidate({alices.key.id}, "alice", false, f.clock.wallNow());
  auto result = authenticate(f, "ApiKey " + alices.encoded);
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "API key [" + alices.key.id + "] has been invalidated");

  CHECK(authenticate(f, "ApiKey " + bobs.encoded).kind == Kind::authenticated);
  f.replaceUsers({user("alice", "pw")});
  result = authenticate(f, "ApiKey " + bobs.encoded);
  CHECK(result.kind == Kind::failed);
  CHECK(result.message == "the owner of API key [" + bobs.key.id + "] no longer exists");
}

TEST_CASE("with apiKeys.enabled false, API key credentials fail") {
  SecurityFixture f({user("alice", "pw")}, [](Settings& s) { s.apiKeysEnabled = false; });
  const auto created = f.state->apiKeys.create("alice", "ci", std::nullopt, f.clock.wallNow());
  const auto result = authenticate(f, "ApiKey " + created.encoded);
  CHECK(result.kind == Kind::failed);
  CHECK(result.message.find("disabled") != std::string::npos);
}
