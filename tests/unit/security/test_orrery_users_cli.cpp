// The built `orrery-users` command, run as a child process in a temporary folder.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "password_hash.hpp"
#include "tests/support/temp_dir.hpp"
#include "users_file.hpp"

using namespace orrery::security;

namespace {

struct Run {
  int exitCode = -1;
  std::string out;  // stdout and stderr together, as an operator sees them
};

// Runs orrery-users with `args` in `folder`, feeding `input` on stdin (a pipe, not a
// terminal, so the command reads one line).
Run run(const std::filesystem::path& folder, std::vector<std::string> args, const std::string& input = "") {
  int in[2], out[2];
  REQUIRE(::pipe(in) == 0);
  REQUIRE(::pipe(out) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    if (::chdir(folder.c_str()) != 0) ::_exit(126);
    std::vector<char*> argv{const_cast<char*>(ORRERY_USERS_PATH)};
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(ORRERY_USERS_PATH, argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  // Small inputs fit the pipe buffer, so writing before reading cannot deadlock.
  REQUIRE(::write(in[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  ::close(in[1]);
  Run result;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
    result.out.append(buffer, static_cast<std::size_t>(n));
  ::close(out[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace

TEST_CASE("add, list, passwd and remove through the default users file") {
  orrery::test::TempDir dir;
  const auto file = dir.path() / "data" / "security" / "users.yml";

  auto result =
      run(dir.path(), {"add", "alice", "--role", "superuser", "--role", "ops", "--full-name", "Alice Example"},
          "correct horse\n");
  CHECK(result.exitCode == 0);
  CHECK(result.out.find("added user 'alice'") != std::string::npos);
  auto users = loadUsersFile(file);
  REQUIRE(users.has_value());
  REQUIRE(users->size() == 1);
  CHECK(users->at(0).username == "alice");
  CHECK(users->at(0).fullName == "Alice Example");
  CHECK(users->at(0).roles == std::vector<std::string>{"superuser", "ops"});
  CHECK(users->at(0).passwordHash.starts_with("$argon2id$"));
  CHECK(verifyPassword(users->at(0).passwordHash, "correct horse"));  // the newline is not part of it
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  result = run(dir.path(), {"add", "alice"}, "another\n");
  CHECK(result.exitCode == 1);
  CHECK(result.out.find("user 'alice' already exists") != std::string::npos);

  result = run(dir.path(), {"add", "bob"}, "pw");  // no trailing newline: still one line
  CHECK(result.exitCode == 0);

  result = run(dir.path(), {"list"});
  CHECK(result.exitCode == 0);
  CHECK(result.out.find("alice     Alice Example  superuser,ops") != std::string::npos);
  CHECK(result.out.find("bob") != std::string::npos);

  const auto oldHash = users->at(0).passwordHash;
  result = run(dir.path(), {"passwd", "alice"}, "battery staple\n");
  CHECK(result.exitCode == 0);
  users = loadUsersFile(file);
  CHECK(verifyPassword(users->at(0).passwordHash, "battery staple"));
  CHECK(users->at(0).roles == std::vector<std::string>{"superuser", "ops"});  // kept

  result = run(dir.path(), {"remove", "alice"});
  CHECK(result.exitCode == 0);
  users = loadUsersFile(file);
  REQUIRE(users->size() == 1);
  CHECK(users->at(0).username == "bob");
}

TEST_CASE("refusals: unknown user, empty password, invalid name, broken file; nothing is changed") {
  orrery::test::TempDir dir;
  const auto file = dir.path() / "users.yml";

  auto result = run(dir.path(), {"add", "alice", "--file", file.string()}, "\n");
  CHECK(result.exitCode == 1);
  CHECK(result.out.find("the password must not be empty") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(file));

  result = run(dir.path(), {"add", "bad/name", "--file", file.string()}, "pw\n");
  CHECK(result.exitCode == 1);
  CHECK(result.out.find("invalid username 'bad/name'") != std::string::npos);

  result = run(dir.path(), {"--file", file.string(), "passwd", "ghost"}, "pw\n");
  CHECK(result.exitCode == 1);
  CHECK(result.out.find("no user 'ghost'") != std::string::npos);

  result = run(dir.path(), {"remove", "ghost", "--file", file.string()});
  CHECK(result.exitCode == 1);
  CHECK(result.out.find("no user 'ghost'") != std::string::npos);

  result = run(dir.path(), {"list", "--file", file.string()});
  CHECK(result.exitCode == 0);
  CHECK(result.out.find("no users") != std::string::npos);

  const std::string broken = "users:\n  - username: alice\n    passwordHash: plain\n";
  dir.write("users.yml", broken);
  result = run(dir.path(), {"add", "bob", "--file", file.string()}, "pw\n");
  CHECK(result.exitCode == 1);
  CHECK(result.out.find("users[0].passwordHash") != std::string::npos);
  std::ifstream in(file);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == broken);
}

TEST_CASE("a command is required, and unknown options are refused") {
  orrery::test::TempDir dir;
  CHECK(run(dir.path(), {}).exitCode != 0);
  const auto result = run(dir.path(), {"add", "alice", "--colour", "red"}, "pw\n");
  CHECK(result.exitCode != 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));
}
