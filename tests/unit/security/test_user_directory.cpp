// The users loaded from the users file, and its reload when it changes.
#include <doctest/doctest.h>

#include "fakes/recording_logger.hpp"
#include "security_fixture.hpp"
#include "user_directory.hpp"

using namespace orrery::security;
using orrery::LogLevel;
using orrery::security::test::RecordingLogger;
using orrery::security::test::user;
using namespace std::chrono_literals;

namespace {
const UserDirectory::TimePoint t0{std::chrono::hours(1)};
}

TEST_CASE("a missing users file means no users and a warning naming the command to run") {
  orrery::test::TempDir dir;
  RecordingLogger logger;
  UserDirectory users(dir.path() / "users.yml", 1s, logger);
  users.load();
  CHECK(users.size() == 0);
  CHECK(logger.has(LogLevel::warn, "`orrery users add NAME`"));
}

TEST_CASE("a broken users file fails the first load") {
  orrery::test::TempDir dir;
  RecordingLogger logger;
  UserDirectory users(dir.write("users.yml", "users: nope\n"), 1s, logger);
  CHECK_THROWS_WITH_AS(users.load(), doctest::Contains("users.yml: users: expected a list of users"), UsersFileError);
}

TEST_CASE("checks are claimed at most once per interval and by one caller at a time") {
  orrery::test::TempDir dir;
  RecordingLogger logger;
  UserDirectory users(dir.path() / "users.yml", 1s, logger);
  CHECK(users.claimCheck(t0));
  CHECK_FALSE(users.claimCheck(t0 + 2s));  // the first check is still running
  users.reloadIfChanged();
  CHECK_FALSE(users.claimCheck(t0 + 999ms));
  CHECK(users.claimCheck(t0 + 1s));
  users.reloadIfChanged();
}

TEST_CASE("a changed file is re-read; a broken one keeps the users loaded before") {
  orrery::test::TempDir dir;
  RecordingLogger logger;
  const auto file = dir.path() / "users.yml";
  saveUsersFile(file, {user("alice", "pw")});
  UserDirectory users(file, 1s, logger);
  std::vector<std::size_t> counts;
  users.setChangeListener([&](std::size_t count) { counts.push_back(count); });
  users.load();
  CHECK(users.find("alice").has_value());
  CHECK_FALSE(users.find("bob").has_value());

  users.reloadIfChanged();  // unchanged: not re-read
  CHECK(counts == std::vector<std::size_t>{1});

  saveUsersFile(file, {user("alice", "pw"), user("bob", "pw", {"superuser"}, "Bob")});
  users.reloadIfChanged();
  REQUIRE(users.find("bob").has_value());
  CHECK(users.find("bob")->fullName == "Bob");
  CHECK(counts == std::vector<std::size_t>{1, 2});

  dir.write("users.yml", "users: [\n");
  users.reloadIfChanged();
  CHECK(users.size() == 2);
  CHECK(logger.has(LogLevel::error, "keeping the users loaded before"));

  std::filesystem::remove(file);
  users.reloadIfChanged();
  CHECK(users.size() == 0);
  CHECK(counts == std::vector<std::size_t>{1, 2, 0});
}
