#include <doctest/doctest.h>

#include "activation.hpp"
#include "password_hash.hpp"
#include "users_file.hpp"
#include "core/config/host_config_view.hpp"
#include "tests/support/temp_dir.hpp"

using namespace orrery::interactive_setup;
using orrery::config::HostConfigView;
using Json = nlohmann::json;

namespace {
std::string usersText(std::vector<std::string> roles) {
  return orrery::security::formatUsers(
      {orrery::security::UserRecord{"root", orrery::security::hashPassword("Some-password-1"), "", std::move(roles)}});
}
}  // namespace

TEST_CASE("a fresh install (no data connection, no users file) enters setup") {
  orrery::test::TempDir dir;
  HostConfigView config(Json::object(), dir.path() / "orrery.yml");
  const auto users = usersFileFor(config, dir.path());
  CHECK(users == dir.path() / "security" / "users.yml");
  CHECK(decideActivation(true, config, users).active);
  CHECK_FALSE(decideActivation(false, config, users).active);
}

TEST_CASE("any data connection key means the install is configured") {
  orrery::test::TempDir dir;
  for (const auto& tree : {Json{{"data", {{"local", {{"path", "/x"}}}}}},
                           Json{{"data", {{"search", {{"defaultStrategy", "local"}}}}}},
                           Json{{"data", {{"elasticsearch", {{"hosts", {"http://es:9200"}}}}}}}}) {
    HostConfigView config(tree, dir.path() / "orrery.yml");
    const auto decision = decideActivation(true, config, dir.path() / "users.yml");
    CHECK_FALSE(decision.active);
    CHECK(decision.reason.find("data connection") != std::string::npos);
  }
  // Empty values do not count.
  HostConfigView empty(Json{{"data", {{"local", {{"path", ""}}}, {"elasticsearch", {{"hosts", Json::array()}}}}}},
                       dir.path() / "orrery.yml");
  CHECK(decideActivation(true, empty, dir.path() / "users.yml").active);
}

TEST_CASE("a superuser in the users file means the install is configured; other users do not") {
  orrery::test::TempDir dir;
  HostConfigView config(Json{{"security", {{"usersFile", "people.yml"}}}}, dir.path() / "orrery.yml");
  const auto users = usersFileFor(config, dir.path());
  CHECK(users == dir.path() / "people.yml");
  dir.write("people.yml", usersText({"viewer"}));
  CHECK(decideActivation(true, config, users).active);
  dir.write("people.yml", usersText({"superuser"}));
  CHECK_FALSE(decideActivation(true, config, users).active);
}

TEST_CASE("an unreadable users file is never overwritten: setup stays off") {
  orrery::test::TempDir dir;
  HostConfigView config(Json::object(), dir.path() / "orrery.yml");
  const auto users = dir.write("users.yml", "users: [[[\n");
  const auto decision = decideActivation(true, config, users);
  CHECK_FALSE(decision.active);
  CHECK(decision.reason.find("cannot be read") != std::string::npos);
}
