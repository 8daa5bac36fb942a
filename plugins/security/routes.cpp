#include "routes.hpp"

#include <orrery/executors.hpp>
#include <orrery/http/json_body.hpp>
#include <orrery/logger.hpp>

#include "clock.hpp"
#include "duration_text.hpp"

namespace orrery::security {

namespace {

using http::HttpError;
using http::Request;
using http::Response;
using Json = nlohmann::json;
using StatePtr = std::shared_ptr<SecurityState>;

constexpr std::size_t kMaxKeyNameBytes = 1024;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;  // a name and a few ids; nothing bigger

bool isSuperuser(const http::User& user) { return hasRole(user.roles, kSuperuserRole); }

void requireApiKeysEnabled(const SecurityState& state) {
  if (!state.settings.apiKeysEnabled) {
    throw HttpError(400, "API keys are disabled (security.apiKeys.enabled is false)", "feature_not_enabled_exception");
  }
}

Json describeKey(const ApiKey& key) {
  Json out = {{"id", key.id},
              {"name", key.name},
              {"username", key.username},
              {"creation", key.creation},
              {"invalidated", key.invalidated}};
  if (key.expiration) out["expiration"] = *key.expiration;
  return out;
}

Task<Response> me(StatePtr state, Request& request) {
  const auto& user = request.user;
  Json body = {{"username", user.username},
               {"full_name", user.fullName},
               {"roles", user.roles},
               {"authentication_type", user.authenticationType}};
  if (user.authenticationType == "api_key") {
    Json key = {{"id", user.apiKeyId}};
    if (const auto stored = state->apiKeys.find(user.apiKeyId)) key["name"] = stored->name;
    body["api_key"] = std::move(key);
  }
  co_return http::jsonResponse(200, body);
}

Task<Response> createKey(StatePtr state, Request& request) {
  requireApiKeysEnabled(*state);
  const auto body = http::parseJsonBody(request);
  http::JsonFields fields(body);
  auto name = fields.requiredString("name");
  const auto expiration = fields.optionalString("expiration");
  fields.rejectUnknown();
  if (name.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw http::badField("request body.name", "expected a non-empty name");
  }
  if (name.size() > kMaxKeyNameBytes) {
    throw http::badField("request body.name", "expected at most " + std::to_string(kMaxKeyNameBytes) + " bytes");
  }
  std::optional<std::chrono::milliseconds> lifetime;
  if (expiration) {
    lifetime = parseDuration(*expiration);
    if (!lifetime) {
      throw http::badField("request body.expiration",
                           "expected a time value such as 7d, 12h, 30m or 60s but got [" + *expiration + "]");
    }
  }
  // A key made with a key could outlive the key that made it: a password login is needed.
  if (request.user.authenticationType != "basic") {
    throw HttpError(403, "API keys can only be created by a user who logged in with a password");
  }
  const auto username = request.user.username;
  const auto now = state->clock.wallNow();
  // Writes api_keys.json: on the blocking pool. (Named, not written inside the co_await:
  // g++ 12 destroys a capturing lambda in a co_await expression twice.)
  auto create = [state, username, name, lifetime, now] { return state->apiKeys.create(username, name, lifetime, now); };
  auto created = co_await state->executors.blocking(std::move(create));
  Json out = {
      {"id", created.key.id}, {"name", created.key.name}, {"api_key", created.secret}, {"encoded", created.encoded}};
  if (created.key.expiration) out["expiration"] = *created.key.expiration;
  state->logger.info("API key created", {{"id", created.key.id}, {"username", username}});
  co_return http::jsonResponse(200, out);
}

Task<Response> listKeys(StatePtr state, Request& request) {
  requireApiKeysEnabled(*state);
  std::string owner = request.user.username;
  if (const auto asked = request.queryParam("username")) {
    if (*asked != owner && !isSuperuser(request.user)) {
      throw HttpError(403, "only a superuser may list other users' API keys");
    }
    owner = std::string(*asked);  // "" (?username=) lists everybody's, for a superuser
  }
  Json keys = Json::array();
  for (const auto& key : state->apiKeys.list(owner)) keys.push_back(describeKey(key));
  co_return http::jsonResponse(200, Json{{"api_keys", std::move(keys)}});
}

Task<Response> invalidateKeys(StatePtr state, Request& request) {
  requireApiKeysEnabled(*state);
  const auto body = http::parseJsonBody(request);
  http::JsonFields fields(body);
  auto ids = fields.stringList("ids");
  fields.rejectUnknown();
  if (ids.empty()) throw http::badField("request body.ids", "expected at least one API key id");
  const auto requester = request.user.username;
  const bool anyOwner = isSuperuser(request.user);
  const auto now = state->clock.wallNow();
  // Writes api_keys.json: on the blocking pool (a named lambda, as in createKey).
  auto invalidate = [state, ids, requester, anyOwner, now] {
    return state->apiKeys.invalidate(ids, requester, anyOwner, now);
  };
  const auto result = co_await state->executors.blocking(std::move(invalidate));
  Json out = {{"invalidated_api_keys", result.invalidated},
              {"previously_invalidated_api_keys", result.previouslyInvalidated},
              {"error_count", result.errors.size()}};
  if (!result.errors.empty()) {
    Json details = Json::array();
    for (const auto& [id, reason] : result.errors) {
      details.push_back({{"type", "resource_not_found_exception"}, {"reason", reason}});
    }
    out["error_details"] = std::move(details);
  }
  if (!result.invalidated.empty()) {
    state->logger.info("API keys invalidated", {{"ids", Json(result.invalidated).dump()}, {"by", requester}});
  }
  co_return http::jsonResponse(200, out);
}

// Handlers call free coroutines that take the state by value: a coroutine lambda's
// captures live in the lambda object, not in the coroutine frame.
template <class Coroutine>
http::Handler bind(StatePtr state, Coroutine coroutine) {
  return [state = std::move(state), coroutine](Request& request) { return coroutine(state, request); };
}

}  // namespace

void registerRoutes(http::Router& router, std::shared_ptr<SecurityState> state) {
  const http::RouteOptions options{.auth = http::Auth::required, .maxBodyBytes = kMaxBodyBytes};
  router.get("/internal/security/me", bind(state, me), options);
  router.post("/internal/security/api_key", bind(state, createKey), options);
  router.get("/internal/security/api_key", bind(state, listKeys), options);
  router.del("/internal/security/api_key", bind(state, invalidateKeys), options);
}

}  // namespace orrery::security
