// The users file: its round trip through format/parse and the file, and parse errors
// that name the file, the entry and the field.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "security_fixture.hpp"
#include "users_file.hpp"

using namespace orrery::security;
using orrery::security::test::user;

namespace {

const std::string kHash =
    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

std::string errorOf(const std::string& text) {
  try {
    parseUsers(text, "users.yml");
  } catch (const UsersFileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("users survive format and parse unchanged, including quotes and unicode") {
  const std::vector<UserRecord> users{
      UserRecord{"alice", kHash, "Alice \"Al\" Example: ünïcode # not a comment", {"superuser", "reporting_user"}},
      UserRecord{"bob@example.com", kHash, "", {}},
  };
  CHECK(parseUsers(formatUsers(users), "users.yml") == users);
}

TEST_CASE("saveUsersFile writes mode 0600, creates folders, and loadUsersFile reads it back") {
  orrery::test::TempDir dir;
  const auto file = dir.path() / "data" / "security" / "users.yml";
  const std::vector<UserRecord> users{UserRecord{"alice", kHash, "Alice", {"superuser"}}};
  saveUsersFile(file, users);
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(loadUsersFile(file) == users);
  // No temporary file is left beside it.
  CHECK(std::distance(std::filesystem::directory_iterator(file.parent_path()), {}) == 1);
}

TEST_CASE("a missing users file is no users, not an error; an empty one is none either") {
  orrery::test::TempDir dir;
  CHECK_FALSE(loadUsersFile(dir.path() / "nope.yml").has_value());
  CHECK(parseUsers("", "users.yml").empty());
  CHECK(parseUsers("# only a comment\n", "users.yml").empty());
  CHECK(parseUsers("users:\n", "users.yml").empty());
}

TEST_CASE("parse errors name the file, the entry and the field") {
  const std::string ok = "  - username: alice\n    passwordHash: \"" + kHash + "\"\n";
  CHECK(errorOf("users:\n" + ok + ok + "  - username: carol\n    passwordHash: plain\n")
            .starts_with("users.yml: users[1].username: duplicate user 'alice' (also users[0])"));
  CHECK(errorOf("users:\n" + ok + "  - username: bob\n  - username: carol\n    passwordHash: plain\n") ==
        "users.yml: users[1].passwordHash: missing");
  CHECK(errorOf("users:\n" + ok +
                "  - username: bob\n    passwordHash: x\n  - username: carol\n    passwordHash: plain\n")
            .starts_with("users.yml: users[1].passwordHash: expected an argon2id hash"));
  CHECK(errorOf("users:\n  - username: bob\n    passwordHash: \"$2y$10$abcdefghijklmnopqrstuv\"\n")
            .starts_with("users.yml: users[0].passwordHash: expected an argon2id hash"));
  CHECK(errorOf("users:\n  - username: \"bad name\"\n    passwordHash: \"" + kHash + "\"\n")
            .starts_with("users.yml: users[0].username: invalid username 'bad name'"));
  CHECK(errorOf("users:\n  - passwordHash: \"" + kHash + "\"\n") == "users.yml: users[0].username: missing");
  CHECK(errorOf("users:\n" + ok + "    pasword: x\n")
            .starts_with("users.yml: users[0].pasword: unknown field (known fields: username, passwordHash"));
  CHECK(errorOf("users:\n" + ok + "    roles: superuser\n") ==
        "users.yml: users[0].roles: expected a list of role names");
  CHECK(errorOf("users:\n" + ok + "    roles: [ok, \"no spaces\"]\n")
            .starts_with("users.yml: users[0].roles[1]: expected a role name"));
  CHECK(errorOf("users:\n" + ok + "    fullName: [a, b]\n") == "users.yml: users[0].fullName: expected a string");
  CHECK(errorOf("users: alice\n") == "users.yml: users: expected a list of users");
  CHECK(errorOf("- alice\n") == "users.yml: expected a map with a 'users' list");
  CHECK(errorOf("users: []\nadmins: []\n") == "users.yml: admins: unknown key (the file holds only 'users')");
  CHECK(errorOf("users:\n  - alice\n") == "users.yml: users[0]: expected a map with username and passwordHash");
  CHECK(errorOf("users: [\n").starts_with("users.yml: line "));
}

TEST_CASE("usernames and role names allow [A-Za-z0-9._@-]{1,64}") {
  CHECK(isValidName("alice"));
  CHECK(isValidName("A.b_c@d-9"));
  CHECK(isValidName(std::string(64, 'a')));
  CHECK_FALSE(isValidName(std::string(65, 'a')));
  CHECK_FALSE(isValidName(""));
  CHECK_FALSE(isValidName("a b"));
  CHECK_FALSE(isValidName("a:b"));
  CHECK_FALSE(isValidName(std::string("a\0b", 3)));
  CHECK(usernameProblem("alice").empty());
  CHECK(usernameProblem("a/b").find("invalid username 'a/b'") != std::string::npos);
}

TEST_CASE("hasRole") {
  const auto alice = UserRecord{"alice", kHash, "", {"superuser"}};
  CHECK(hasRole(alice.roles, kSuperuserRole));
  CHECK_FALSE(hasRole(alice.roles, "viewer"));
}
