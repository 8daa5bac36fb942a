#include "activation.hpp"

#include <algorithm>
#include <exception>

#include "users_file.hpp"

namespace orrery::interactive_setup {

std::filesystem::path usersFileFor(const HostConfig& config, const std::filesystem::path& dataPath) {
  const auto configured = config.text("security.usersFile");
  if (!configured || configured->empty()) return dataPath / "security" / "users.yml";
  return dataPath / *configured;  // an absolute usersFile replaces dataPath
}

bool namesDataConnection(const HostConfig& config) {
  return config.isSet("data.search.defaultStrategy") || config.isSet("data.local.path") ||
         config.isSet("data.elasticsearch.hosts");
}

Activation decideActivation(bool enabled, const HostConfig& config, const std::filesystem::path& usersFile) {
  if (!enabled) return {false, "interactive_setup.enabled is false"};
  if (namesDataConnection(config)) return {false, "the config names a data connection (data.*)"};
  try {
    const auto users = security::loadUsersFile(usersFile);
    const bool admin = users && std::any_of(users->begin(), users->end(), [](const security::UserRecord& user) {
                         return security::hasRole(user.roles, security::kSuperuserRole);
                       });
    if (admin) return {false, "the users file " + usersFile.string() + " has a superuser"};
  } catch (const std::exception& e) {
    return {false, "the users file cannot be read (" + std::string(e.what()) + "); fix it, or use `orrery users`"};
  }
  return {true, "the config names no data connection and " + usersFile.string() + " has no superuser"};
}

}  // namespace orrery::interactive_setup
