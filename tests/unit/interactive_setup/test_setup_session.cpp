// Saving the setup: the config file edit, its mode, the admin user, and that a failure
// leaves everything as it was.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "tests/support/loopback_peer.hpp"
#include "password_hash.hpp"
#include "setup_session.hpp"
#include "tests/support/temp_dir.hpp"
#include "users_file.hpp"

using namespace orrery::interactive_setup;
using namespace std::chrono_literals;

namespace {

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t modeOf(const std::filesystem::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

struct Fixture {
  orrery::test::TempDir dir;
  int saved = 0;
  SessionPaths paths() const {
    SessionPaths p;
    p.configFile = dir.path() / "config" / "orrery.yml";
    p.usersFile = dir.path() / "data" / "security" / "users.yml";
    p.codeFile = dir.path() / "data" / "interactive_setup" / "verification_code";
    p.defaultDataFolder = dir.path() / "data" / "indices";
    p.workingFolder = dir.path();
    return p;
  }
  SetupSession session() {
    return SetupSession(paths(), "123456", 2s, [this] { ++saved; });
  }
  static Connection embedded(std::string path) {
    Connection c;
    c.embedded = EmbeddedConnection{std::move(path)};
    return c;
  }
  static AdminUser admin() { return {"admin", "Correct-Horse-9"}; }
};

}  // namespace

TEST_CASE("the code gate: wrong codes say how many attempts are left") {
  Fixture f;
  auto session = f.session();
  CHECK_NOTHROW(session.requireCode("123456"));
  try {
    session.requireCode("111111");
    FAIL("accepted a wrong code");
  } catch (const SetupError& e) {
    CHECK(e.status() == 403);
    CHECK(e.field() == "code");
    CHECK(std::string(e.what()) == "Wrong verification code: 4 attempts left.");
  }
}

TEST_CASE("saving an embedded connection keeps the operator's config and writes the admin") {
  Fixture f;
  const std::string original = "# Operator's notes\nserver:\n  port: 5601\ndata:\n  local:\n    path: /old\n";
  f.dir.write("config/orrery.yml", original);
  ::chmod((f.dir.path() / "config" / "orrery.yml").c_str(), 0640);
  f.dir.write("data/interactive_setup/verification_code", "123456\n");
  auto session = f.session();
  const auto result = session.save(Fixture::embedded("store"), Fixture::admin());
  CHECK(f.saved == 1);
  CHECK(session.saved());
  CHECK(result.message.find("Saved to") != std::string::npos);

  const auto config = f.paths().configFile;
  const auto text = read(config);
  CHECK(text.starts_with("# Operator's notes\nserver:\n  port: 5601\n"));
  CHECK(text.find("# data:\n#   local:\n#     path: /old\n") != std::string::npos);  // the backup block
  const auto node = YAML::Load(text);
  CHECK(node["data"]["local"]["path"].as<std::string>() == (f.dir.path() / "store").string());
  CHECK(node["server"]["port"].as<int>() == 5601);
  CHECK(modeOf(config) == 0640);  // no secrets: the operator's mode stays
  CHECK(std::filesystem::is_directory(f.dir.path() / "store"));

  const auto users = orrery::security::loadUsersFile(f.paths().usersFile);
  REQUIRE(users);
  REQUIRE(users->size() == 1);
  CHECK(users->front().username == "admin");
  CHECK(users->front().roles == std::vector<std::string>{"superuser"});
  CHECK(orrery::security::verifyPassword(users->front().passwordHash, "Correct-Horse-9"));
  CHECK_FALSE(std::filesystem::exists(f.paths().codeFile));  // the code is spent

  // Saved once: the session refuses to save again.
  try {
    session.save(Fixture::embedded("store"), Fixture::admin());
    FAIL("saved twice");
  } catch (const SetupError& e) {
    CHECK(e.status() == 400);
    CHECK(std::string(e.what()) == "Cannot process request outside of preboot stage.");
  }
}

TEST_CASE("a remote connection with a password: a new config file with mode 0600") {
  Fixture f;
  orrery::test::LoopbackPeer cluster(orrery::test::LoopbackPeer::Kind::answering, R"({"cluster_name":"c"})");
  Connection c;
  c.remote = RemoteConnection{cluster.url(), "elastic", "secret", "", ""};
  auto session = f.session();
  session.save(c, Fixture::admin());
  CHECK(modeOf(f.paths().configFile) == 0600);
  const auto node = YAML::Load(read(f.paths().configFile));
  CHECK(node["data"]["elasticsearch"]["hosts"][0].as<std::string>() == cluster.url());
  CHECK(node["data"]["elasticsearch"]["password"].as<std::string>() == "secret");
  CHECK(f.saved == 1);
}

TEST_CASE("a failing remote check saves nothing and names the URL") {
  Fixture f;
  f.dir.write("config/orrery.yml", "server:\n  port: 1\n");
  orrery::test::LoopbackPeer closed(orrery::test::LoopbackPeer::Kind::refusing);
  Connection c;
  c.remote = RemoteConnection{closed.url(), "", "", "k", ""};
  auto session = f.session();
  try {
    session.save(c, Fixture::admin());
    FAIL("saved with an unreachable cluster");
  } catch (const SetupError& e) {
    CHECK(e.status() == 400);
    CHECK(e.field() == "connection.url");
    CHECK(std::string(e.what()).find("Nothing was saved") != std::string::npos);
  }
  CHECK(read(f.paths().configFile) == "server:\n  port: 1\n");
  CHECK_FALSE(std::filesystem::exists(f.paths().usersFile));
}

TEST_CASE("an existing username is refused; the users file is untouched") {
  Fixture f;
  orrery::security::saveUsersFile(f.paths().usersFile,
                                  {{"admin", orrery::security::hashPassword("Other-pass-123"), "", {"viewer"}}});
  const auto before = read(f.paths().usersFile);
  auto session = f.session();
  try {
    session.save(Fixture::embedded("store"), Fixture::admin());
    FAIL("replaced a user");
  } catch (const SetupError& e) {
    CHECK(e.status() == 409);
    CHECK(e.field() == "admin.username");
  }
  CHECK(read(f.paths().usersFile) == before);
  CHECK_FALSE(std::filesystem::exists(f.paths().configFile));
}

TEST_CASE("a config file that cannot be written is refused with a clear message; nothing is saved") {
  Fixture f;
  // The config's folder is a regular file, so no file can be created there (this also
  // holds for root, which file modes would not stop).
  f.dir.write("config", "not a folder");
  auto session = f.session();
  try {
    session.save(Fixture::embedded("store"), Fixture::admin());
    FAIL("wrote an unwritable config");
  } catch (const SetupError& e) {
    CHECK(e.status() == 500);
    const std::string message = e.what();
    CHECK(message.find("Cannot write the config file") != std::string::npos);
    CHECK(message.find((f.dir.path() / "config").string()) != std::string::npos);
    CHECK(message.find("Nothing was saved") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(f.paths().usersFile));
  CHECK(f.saved == 0);
}

TEST_CASE("a users file that cannot be written puts the config back as it was") {
  Fixture f;
  const std::string original = "server:\n  port: 7\n";
  f.dir.write("config/orrery.yml", original);
  f.dir.write("data/security", "a file where the users folder should be");
  auto session = f.session();
  try {
    session.save(Fixture::embedded("store"), Fixture::admin());
    FAIL("saved without a users file");
  } catch (const SetupError& e) {
    CHECK(std::string(e.what()).find("Cannot write the users file") != std::string::npos);
  }
  CHECK(read(f.paths().configFile) == original);
  CHECK(f.saved == 0);
}

TEST_CASE("a config in a form the line edit does not understand is refused, unchanged") {
  Fixture f;
  const std::string original = "{server: {port: 1}, data: {local: {path: /x}}}\n";
  f.dir.write("config/orrery.yml", original);
  auto session = f.session();
  try {
    session.save(Fixture::embedded("store"), Fixture::admin());
    FAIL("edited a flow-style file");
  } catch (const SetupError& e) {
    CHECK(e.status() == 409);
    CHECK(std::string(e.what()).find("cannot edit") != std::string::npos);
  }
  CHECK(read(f.paths().configFile) == original);
}
