#include "owner.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace orrery::async_search {

std::string Owner::key() const {
  std::string key = authenticationType;
  key.append(":").append(username);
  if (!apiKeyId.empty()) key.append(":").append(apiKeyId);
  return key;
}

bool mayAccess(const Owner& owner, const Caller& caller) {
  if (owner.authenticationType == "anonymous") return true;  // submitted with security disabled
  if (owner.username != caller.username) return false;
  if (owner.authenticationType == "api_key") {
    // The same key, or its owner signed in as themself.
    return (caller.authenticationType == "api_key" && caller.apiKeyId == owner.apiKeyId) ||
           caller.authenticationType == "basic";
  }
  return caller.authenticationType == owner.authenticationType;
}

bool isSuperuser(const Caller& caller) {
  return std::find(caller.roles.begin(), caller.roles.end(), "superuser") != caller.roles.end();
}

nlohmann::json ownerToJson(const Owner& owner) {
  return {{"username", owner.username}, {"authenticationType", owner.authenticationType}, {"apiKeyId", owner.apiKeyId}};
}

Owner ownerFromJson(const nlohmann::json& value) {
  return {value.at("username").get<std::string>(), value.at("authenticationType").get<std::string>(),
          value.at("apiKeyId").get<std::string>()};
}

}  // namespace orrery::async_search
