#include "user_commands.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "password_hash.hpp"
#include "sodium_helpers.hpp"
#include "users_file.hpp"

namespace orrery::security::cli {

namespace {

std::vector<UserRecord> load(const std::filesystem::path& file) {
  return loadUsersFile(file).value_or(std::vector<UserRecord>{});
}

std::vector<UserRecord>::iterator findUser(std::vector<UserRecord>& users, const std::string& username,
                                           const std::filesystem::path& file) {
  const auto it = std::find_if(users.begin(), users.end(), [&](const UserRecord& u) { return u.username == username; });
  if (it == users.end()) {
    throw std::runtime_error("no user '" + username + "' in " + file.string() + " (see `orrery users list`)");
  }
  return it;
}

void checkUsername(const std::string& username) {
  if (const auto problem = usernameProblem(username); !problem.empty()) throw std::runtime_error(problem);
}

// Hashes the password from `source`, wiping the clear text afterwards.
std::string hashFrom(const PasswordSource& source) {
  auto password = source();
  auto hash = hashPassword(password);
  wipe(password);
  return hash;
}

}  // namespace

void addUser(const std::filesystem::path& file, const NewUser& user, const PasswordSource& password) {
  checkUsername(user.username);
  for (const auto& role : user.roles) {
    if (!isValidName(role)) {
      throw std::runtime_error("invalid role '" + role + "': use 1 to 64 letters, digits and the characters . _ @ -");
    }
  }
  auto users = load(file);
  const bool exists =
      std::any_of(users.begin(), users.end(), [&](const UserRecord& u) { return u.username == user.username; });
  if (exists) {
    throw std::runtime_error("user '" + user.username + "' already exists in " + file.string() +
                             "; change the password with `orrery users passwd " + user.username + "`");
  }
  users.push_back(UserRecord{user.username, hashFrom(password), user.fullName, user.roles});
  saveUsersFile(file, users);
}

void changePassword(const std::filesystem::path& file, const std::string& username, const PasswordSource& password) {
  checkUsername(username);
  auto users = load(file);
  findUser(users, username, file)->passwordHash = hashFrom(password);
  saveUsersFile(file, users);
}

void removeUser(const std::filesystem::path& file, const std::string& username) {
  checkUsername(username);
  auto users = load(file);
  users.erase(findUser(users, username, file));
  saveUsersFile(file, users);
}

std::string listUsers(const std::filesystem::path& file) {
  const auto users = load(file);
  if (users.empty()) return "no users in " + file.string() + "; add one with `orrery users add NAME`\n";
  std::vector<std::array<std::string, 3>> rows{{"USERNAME", "FULL NAME", "ROLES"}};
  for (const auto& user : users) {
    std::string roles;
    for (const auto& role : user.roles) roles += (roles.empty() ? "" : ",") + role;
    rows.push_back({user.username, user.fullName, roles});
  }
  std::array<std::size_t, 2> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i) line += row[i] + std::string(widths[i] - row[i].size() + 2, ' ');
    line += row[2];
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + '\n';
  }
  return out;
}

}  // namespace orrery::security::cli
