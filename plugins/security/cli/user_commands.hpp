// What `orrery users add|passwd|remove|list` do to a users file. Each command reads the
// whole file, refuses to touch one it cannot parse (so nothing stored is lost), and
// writes the result atomically. Errors are std::runtime_error with a message for the
// operator.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace orrery::security::cli {

struct NewUser {
  std::string username;
  std::string fullName;
  std::vector<std::string> roles;
};

// Supplies the new password; called only once the command is known to be possible, so
// nobody types a password for a command that then fails.
using PasswordSource = std::function<std::string()>;

void addUser(const std::filesystem::path& file, const NewUser& user, const PasswordSource& password);
void changePassword(const std::filesystem::path& file, const std::string& username, const PasswordSource& password);
void removeUser(const std::filesystem::path& file, const std::string& username);
// A table of the users (name, full name, roles), or a note that there are none.
std::string listUsers(const std::filesystem::path& file);

}  // namespace orrery::security::cli
