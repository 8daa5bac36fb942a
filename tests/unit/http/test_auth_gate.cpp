// AuthGate: every mode (enabled with each authenticator answer, disabled, unset) against
// every route requirement (required, optional, none); single registration; sealing.
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/http/auth_gate.hpp"
#include "http_test_support.hpp"

using orrery::http::Auth;
using orrery::http::AuthResult;
using orrery::http::HttpError;
using orrery::http::Request;
using orrery::server::AuthGate;
using orrery::http_test::contains;
using orrery::http_test::FixedAuthenticator;
using orrery::http_test::headerValues;
using orrery::http_test::run;

namespace {

const std::vector<std::string> kChallenges = {R"(Basic realm="orrery", charset="UTF-8")", "ApiKey"};

std::string modeName(AuthGate::Mode mode) {
  switch (mode) {
    case AuthGate::Mode::unset: return "unset";
    case AuthGate::Mode::enabled: return "enabled";
    case AuthGate::Mode::disabled: return "disabled";
  }
  return "?";
}

Request requestFor(std::string path) {
  Request request;
  request.path = std::move(path);
  // Something other than anonymous, to see that the gate decides request.user itself.
  request.user = orrery::http_test::user("stale");
  return request;
}

// The outcome of authenticate(): the user's name, or the HttpError thrown.
struct Outcome {
  std::optional<std::string> username;
  std::string authenticationType;
  std::optional<HttpError> error;
};

Outcome authenticate(const AuthGate& gate, Auth requirement, std::string path = "/api/thing") {
  auto request = requestFor(std::move(path));
  Outcome outcome;
  try {
    run(gate.authenticate(request, requirement));
    outcome.username = request.user.username;
    outcome.authenticationType = request.user.authenticationType;
  } catch (const HttpError& error) {
    outcome.error.emplace(error);
  }
  return outcome;
}

void checkAnonymous(const Outcome& outcome) {
  REQUIRE_FALSE_MESSAGE(outcome.error.has_value(), "threw " << outcome.error->status() << " " << outcome.error->what());
  CHECK(*outcome.username == "anonymous");
  CHECK(outcome.authenticationType == "anonymous");
}

void checkUser(const Outcome& outcome, const std::string& name) {
  REQUIRE_FALSE_MESSAGE(outcome.error.has_value(), "threw " << outcome.error->status() << " " << outcome.error->what());
  CHECK(*outcome.username == name);
  CHECK(outcome.authenticationType == "basic");
}

void checkUnauthorized(const Outcome& outcome) {
  REQUIRE_MESSAGE(outcome.error.has_value(), "did not throw; user " << outcome.username.value_or(""));
  CHECK(outcome.error->status() == 401);
  CHECK(std::string(outcome.error->type()) == "security_exception");
  CHECK(headerValues(outcome.error->headers(), "WWW-Authenticate") == kChallenges);
}

void checkUnavailable(const Outcome& outcome) {
  REQUIRE_MESSAGE(outcome.error.has_value(), "did not throw; user " << outcome.username.value_or(""));
  CHECK(outcome.error->status() == 503);
  CHECK(outcome.error->headers().all().empty());
}

struct EnabledGate {
  explicit EnabledGate(AuthResult result) {
    authenticator = std::make_shared<FixedAuthenticator>(std::move(result), kChallenges);
    gate.setAuthenticator(authenticator, "security", nullptr);
  }
  std::shared_ptr<FixedAuthenticator> authenticator;
  AuthGate gate;
};

}  // namespace

TEST_CASE("a new gate is unset") {
  AuthGate gate;
  CHECK(modeName(gate.mode()) == "unset");
  CHECK(gate.owner().empty());
}

TEST_CASE("enabled, authenticator knows the user") {
  EnabledGate fixture(AuthResult::success(orrery::http_test::user("alice")));
  CHECK(modeName(fixture.gate.mode()) == "enabled");
  CHECK(fixture.gate.owner() == "security");
  SUBCASE("required") {
    checkUser(authenticate(fixture.gate, Auth::required), "alice");
    CHECK(fixture.authenticator->calls == 1);
  }
  SUBCASE("optional") {
    checkUser(authenticate(fixture.gate, Auth::optional), "alice");
    CHECK(fixture.authenticator->calls == 1);
  }
  SUBCASE("none: anonymous, the authenticator is not asked") {
    checkAnonymous(authenticate(fixture.gate, Auth::none));
    CHECK(fixture.authenticator->calls == 0);
  }
}

TEST_CASE("enabled, request without credentials") {
  EnabledGate fixture(AuthResult::none());
  SUBCASE("required: 401 with every challenge, naming the path") {
    const auto outcome = authenticate(fixture.gate, Auth::required, "/api/secret");
    checkUnauthorized(outcome);
    CHECK(contains(outcome.error->what(), "missing authentication credentials"));
    CHECK(contains(outcome.error->what(), "[/api/secret]"));
  }
  SUBCASE("optional: anonymous") {
    checkAnonymous(authenticate(fixture.gate, Auth::optional));
    CHECK(fixture.authenticator->calls == 1);
  }
  SUBCASE("none: anonymous, not asked") {
    checkAnonymous(authenticate(fixture.gate, Auth::none));
    CHECK(fixture.authenticator->calls == 0);
  }
}

TEST_CASE("enabled, wrong credentials: 401 even where credentials are optional") {
  EnabledGate fixture(AuthResult::failure("unable to authenticate user [bob]"));
  SUBCASE("required") {
    const auto outcome = authenticate(fixture.gate, Auth::required);
    checkUnauthorized(outcome);
    CHECK(std::string(outcome.error->what()) == "unable to authenticate user [bob]");
  }
  SUBCASE("optional") {
    const auto outcome = authenticate(fixture.gate, Auth::optional);
    checkUnauthorized(outcome);
    CHECK(std::string(outcome.error->what()) == "unable to authenticate user [bob]");
  }
  SUBCASE("none: not asked, anonymous") {
    checkAnonymous(authenticate(fixture.gate, Auth::none));
    CHECK(fixture.authenticator->calls == 0);
  }
}

TEST_CASE("a failure without a message still says what happened") {
  EnabledGate fixture(AuthResult::failure(""));
  const auto outcome = authenticate(fixture.gate, Auth::required);
  checkUnauthorized(outcome);
  CHECK(std::string(outcome.error->what()) == "unable to authenticate user");
}

TEST_CASE("disabled: everyone is anonymous") {
  AuthGate gate;
  gate.disable("xpack.security.enabled: false", "security");
  CHECK(modeName(gate.mode()) == "disabled");
  CHECK(gate.disabledReason() == "xpack.security.enabled: false");
  CHECK(gate.owner() == "security");
  checkAnonymous(authenticate(gate, Auth::required));
  checkAnonymous(authenticate(gate, Auth::optional));
  checkAnonymous(authenticate(gate, Auth::none));
}

TEST_CASE("unset: routes that need a user answer 503, the others run anonymously") {
  AuthGate gate;
  const auto required = authenticate(gate, Auth::required);
  checkUnavailable(required);
  CHECK(contains(required.error->what(), "no security plugin"));
  checkAnonymous(authenticate(gate, Auth::optional));
  checkAnonymous(authenticate(gate, Auth::none));
}

TEST_CASE("only one plugin may configure authentication; the error names the first") {
  AuthGate gate;
  auto first = std::make_shared<FixedAuthenticator>(AuthResult::success(orrery::http_test::user("alice")), kChallenges);
  gate.setAuthenticator(first, "security", nullptr);

  SUBCASE("a second authenticator") {
    auto second = std::make_shared<FixedAuthenticator>(AuthResult::none());
    try {
      gate.setAuthenticator(second, "intruder", nullptr);
      FAIL("no exception");
    } catch (const std::logic_error& error) {
      CHECK(contains(error.what(), "'security'"));
      CHECK(contains(error.what(), "'intruder'"));
    }
  }
  SUBCASE("disabling after an authenticator") {
    try {
      gate.disable("off", "intruder");
      FAIL("no exception");
    } catch (const std::logic_error& error) {
      CHECK(contains(error.what(), "'security'"));
    }
  }
  // The first registration still decides.
  CHECK(modeName(gate.mode()) == "enabled");
  CHECK(gate.owner() == "security");
  checkUser(authenticate(gate, Auth::required), "alice");
}

TEST_CASE("an authenticator after disabling is refused too") {
  AuthGate gate;
  gate.disable("off", "security");
  auto authenticator = std::make_shared<FixedAuthenticator>(AuthResult::none());
  try {
    gate.setAuthenticator(authenticator, "intruder", nullptr);
    FAIL("no exception");
  } catch (const std::logic_error& error) {
    CHECK(contains(error.what(), "'security'"));
  }
  CHECK(modeName(gate.mode()) == "disabled");
}

TEST_CASE("a null authenticator is refused, naming the plugin") {
  AuthGate gate;
  try {
    gate.setAuthenticator(nullptr, "security", nullptr);
    FAIL("no exception");
  } catch (const std::invalid_argument& error) {
    CHECK(contains(error.what(), "'security'"));
  }
  CHECK(modeName(gate.mode()) == "unset");
}

TEST_CASE("seal() keeps a running owner's authenticator") {
  EnabledGate fixture(AuthResult::success(orrery::http_test::user("alice")));
  fixture.gate.seal([](const std::string& owner) { return owner == "security"; });
  CHECK(modeName(fixture.gate.mode()) == "enabled");
  checkUser(authenticate(fixture.gate, Auth::required), "alice");
}

TEST_CASE("seal() forgets the authenticator of an owner that is not running") {
  AuthGate gate;
  auto library = std::make_shared<int>(1);
  std::weak_ptr<int> libraryAlive = library;
  auto authenticator = std::make_shared<FixedAuthenticator>(AuthResult::success(orrery::http_test::user("a")));
  std::weak_ptr<FixedAuthenticator> authenticatorAlive = authenticator;
  gate.setAuthenticator(std::move(authenticator), "security", std::move(library));
  library.reset();
  CHECK_FALSE(libraryAlive.expired());  // held by the gate

  gate.seal([](const std::string&) { return false; });
  CHECK(modeName(gate.mode()) == "unset");
  CHECK(authenticatorAlive.expired());
  CHECK(libraryAlive.expired());
  checkUnavailable(authenticate(gate, Auth::required));
  checkAnonymous(authenticate(gate, Auth::optional));
}

TEST_CASE("seal() forgets a disabling by an owner that is not running") {
  AuthGate gate;
  gate.disable("off", "security");
  gate.seal([](const std::string&) { return false; });
  CHECK(modeName(gate.mode()) == "unset");
  CHECK(gate.disabledReason().empty());
  checkUnavailable(authenticate(gate, Auth::required));
}

// Regression (was a bug): auth_gate.hpp documents seal() as "then freezes the gate",
// but AuthGate::seal (auth_gate.cpp) sets no sealed flag, so a registration arriving after
// the gate is sealed (and read without a lock by the serving dispatcher) is accepted.
TEST_CASE("a sealed gate refuses later registrations") {
  AuthGate gate;
  gate.seal([](const std::string&) { return true; });
  auto late = std::make_shared<FixedAuthenticator>(AuthResult::success(orrery::http_test::user("late")));
  CHECK_THROWS(gate.setAuthenticator(late, "late-plugin", nullptr));
  CHECK_THROWS(gate.disable("off", "late-plugin"));
  CHECK(modeName(gate.mode()) == "unset");
}
