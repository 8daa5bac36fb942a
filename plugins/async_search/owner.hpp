// Who owns a stored search, and who may see it. Elasticsearch's rule: only the user who
// submitted (same name, same kind of authentication; for an API key, the same key, or
// the person who owns that key), and nobody can tell another user's search from a missing
// one. Status is also open to superusers; with security disabled, everyone is anonymous
// and may access everything.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <orrery/async_search/async_search.hpp>
#include <string>

namespace orrery::async_search {

struct Owner {
  std::string username;
  std::string authenticationType;
  std::string apiKeyId;

  static Owner of(const Caller& caller) { return {caller.username, caller.authenticationType, caller.apiKeyId}; }
  // The storage service's owner column: one string per owner, for finds by owner.
  std::string key() const;
};

bool mayAccess(const Owner& owner, const Caller& caller);
bool isSuperuser(const Caller& caller);

nlohmann::json ownerToJson(const Owner& owner);
// Throws nlohmann::json::exception on a malformed object.
Owner ownerFromJson(const nlohmann::json& value);

}  // namespace orrery::async_search
