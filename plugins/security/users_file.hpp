// The users file: who may log in, with argon2id password hashes, in YAML.
//
//   users:
//     - username: alice
//       passwordHash: "$argon2id$v=19$..."
//       fullName: Alice Example      # optional
//       roles: [superuser]           # optional
//
// Read by the plugin (and re-read when it changes), written by `orrery users ...`.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::security {

struct UserRecord {
  std::string username;
  std::string passwordHash;
  std::string fullName;
  std::vector<std::string> roles;

  bool operator==(const UserRecord&) const = default;
};

// The role that may act on other users' API keys.
inline constexpr std::string_view kSuperuserRole = "superuser";

// Whether `roles` (a users-file entry's, or a request user's) include `role`.
bool hasRole(const std::vector<std::string>& roles, std::string_view role);

// A users file that cannot be used; the message names the file, the entry and the field,
// e.g. "users.yml: users[2].passwordHash: expected an argon2id hash".
class UsersFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Usernames and role names: [A-Za-z0-9._@-]{1,64}. Safe in logs, headers and YAML.
bool isValidName(std::string_view name);
// Why `name` is not a valid username, or "" when it is.
std::string usernameProblem(std::string_view name);

// Parses a users file's text; `source` names it in errors. An empty document means no
// users. Throws UsersFileError on anything else that is not a valid users file.
std::vector<UserRecord> parseUsers(std::string_view text, std::string_view source);

// The users in `path`, or nullopt when the file does not exist.
std::optional<std::vector<UserRecord>> loadUsersFile(const std::filesystem::path& path);

// The YAML text parseUsers reads back to the same users.
std::string formatUsers(const std::vector<UserRecord>& users);

// Writes `users` to `path` atomically, mode 0600, creating parent folders.
void saveUsersFile(const std::filesystem::path& path, const std::vector<UserRecord>& users);

}  // namespace orrery::security
