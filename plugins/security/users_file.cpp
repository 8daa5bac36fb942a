#include "users_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "atomic_file.hpp"
#include "password_hash.hpp"

namespace orrery::security {

bool hasRole(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool isValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '-';
  });
}

std::string usernameProblem(std::string_view name) {
  if (isValidName(name)) return {};
  return "invalid username '" + std::string(name) + "': use 1 to 64 letters, digits and the characters . _ @ -";
}

namespace {

constexpr std::string_view kEntryFields = "username, passwordHash, fullName, roles";

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw UsersFileError(source_ + ": " + (where.empty() ? "" : where + ": ") + problem);
  }

  std::vector<UserRecord> parse(const YAML::Node& root) const {
    if (!root || root.IsNull()) return {};
    if (!root.IsMap()) fail("", "expected a map with a 'users' list");
    for (const auto& item : root) {
      const auto key = item.first.Scalar();
      if (key != "users") fail(key, "unknown key (the file holds only 'users')");
    }
    const auto list = root["users"];
    if (!list || list.IsNull()) return {};
    if (!list.IsSequence()) fail("users", "expected a list of users");
    std::vector<UserRecord> users;
    std::map<std::string, std::size_t, std::less<>> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "users[" + std::to_string(i) + "]";
      auto user = entry(list[i], where);
      if (auto [it, fresh] = seen.emplace(user.username, i); !fresh) {
        fail(where + ".username",
             "duplicate user '" + user.username + "' (also users[" + std::to_string(it->second) + "])");
      }
      users.push_back(std::move(user));
    }
    return users;
  }

 private:
  UserRecord entry(const YAML::Node& node, const std::string& where) const {
    if (!node.IsMap()) fail(where, "expected a map with username and passwordHash");
    for (const auto& item : node) {
      const auto key = item.first.Scalar();
      if (key != "username" && key != "passwordHash" && key != "fullName" && key != "roles") {
        fail(where + "." + key, "unknown field (known fields: " + std::string(kEntryFields) + ")");
      }
    }
    UserRecord user;
    user.username = requiredString(node, "username", where);
    if (!isValidName(user.username)) fail(where + ".username", usernameProblem(user.username));
    user.passwordHash = requiredString(node, "passwordHash", where);
    if (!looksLikeArgon2idHash(user.passwordHash)) {
      fail(where + ".passwordHash",
           "expected an argon2id hash (\"$argon2id$...\"); set one with `orrery users passwd " + user.username + "`");
    }
    if (const auto fullName = node["fullName"]; fullName && !fullName.IsNull()) {
      if (!fullName.IsScalar()) fail(where + ".fullName", "expected a string");
      user.fullName = fullName.Scalar();
    }
    if (const auto roles = node["roles"]; roles && !roles.IsNull()) {
      if (!roles.IsSequence()) fail(where + ".roles", "expected a list of role names");
      for (std::size_t i = 0; i < roles.size(); ++i) {
        const std::string at = where + ".roles[" + std::to_string(i) + "]";
        if (!roles[i].IsScalar() || !isValidName(roles[i].Scalar())) {
          fail(at, "expected a role name of 1 to 64 letters, digits and . _ @ -");
        }
        user.roles.push_back(roles[i].Scalar());
      }
    }
    return user;
  }

  std::string requiredString(const YAML::Node& node, const char* key, const std::string& where) const {
    const auto value = node[key];
    if (!value || value.IsNull()) fail(where + "." + key, "missing");
    if (!value.IsScalar()) fail(where + "." + key, "expected a string");
    return value.Scalar();
  }

  std::string source_;
};

}  // namespace

std::vector<UserRecord> parseUsers(std::string_view text, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw UsersFileError(std::string(source) + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return Parser(source).parse(root);
}

std::optional<std::vector<UserRecord>> loadUsersFile(const std::filesystem::path& path) {
  const auto text = readFileIfExists(path);
  if (!text) return std::nullopt;
  return parseUsers(*text, path.string());
}

std::string formatUsers(const std::vector<UserRecord>& users) {
  YAML::Emitter out;
  out << YAML::Comment("Orrery users. Manage with `orrery users add|passwd|remove NAME` and `orrery users list`.");
  out << YAML::BeginMap << YAML::Key << "users" << YAML::Value << YAML::BeginSeq;
  for (const auto& user : users) {
    out << YAML::BeginMap;
    out << YAML::Key << "username" << YAML::Value << YAML::DoubleQuoted << user.username;
    out << YAML::Key << "passwordHash" << YAML::Value << YAML::DoubleQuoted << user.passwordHash;
    if (!user.fullName.empty()) out << YAML::Key << "fullName" << YAML::Value << YAML::DoubleQuoted << user.fullName;
    if (!user.roles.empty()) out << YAML::Key << "roles" << YAML::Value << YAML::Flow << user.roles;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void saveUsersFile(const std::filesystem::path& path, const std::vector<UserRecord>& users) {
  writeFileAtomically(path, formatUsers(users));
}

}  // namespace orrery::security
