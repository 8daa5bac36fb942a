#include "core/status/status_api.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "orrery/http/json_body.hpp"
#include "orrery/version.hpp"

namespace orrery::status {

namespace {

nlohmann::json poolsJson(const std::vector<executors::PoolStats>& pools) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& pool : pools) {
    out[pool.name] = {{"threads", pool.threads},
                      {"active", pool.active},
                      {"queue", pool.queued},
                      {"queue_capacity", pool.queueCapacity},
                      {"completed", pool.completed},
                      {"rejected", pool.rejected},
                      {"queue_wait_ms", {{"p50", pool.waitP50Ms}, {"p99", pool.waitP99Ms}, {"max", pool.waitMaxMs}}}};
  }
  return out;
}

nlohmann::json levelJson(orrery::ServiceLevel level, const std::string& summary) {
  return {{"level", std::string(orrery::toString(level))}, {"summary", summary}};
}

}  // namespace

orrery::http::Handler statusApiHandler(const StatusService& service, StatusApiInfo info) {
  auto shared = std::make_shared<StatusApiInfo>(std::move(info));
  return [&service, shared](orrery::http::Request& request) -> orrery::Task<orrery::http::Response> {
    const auto snapshot = service.snapshot();
    const int code = snapshot.overall == orrery::ServiceLevel::unavailable ? 503 : 200;
    const bool everyone = shared->anonymousSeesAll && shared->anonymousSeesAll();
    const bool full = !request.user.isAnonymous() || everyone;
    if (!full) {
      co_return orrery::http::jsonResponse(
          code, {{"status", {{"overall", {{"level", std::string(orrery::toString(snapshot.overall))}}}}}});
    }
    nlohmann::json plugins = nlohmann::json::object();
    for (const auto& plugin : snapshot.plugins) {
      auto entry = levelJson(plugin.level, plugin.summary);
      entry["state"] = std::string(toString(plugin.state));
      entry["type"] = plugin.type;
      entry["version"] = plugin.version;
      if (!plugin.reason.empty()) entry["reason"] = plugin.reason;
      plugins[plugin.id] = std::move(entry);
    }
    const auto uptime = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - shared->started);
    const double startup = shared->startupMs ? shared->startupMs->load() : -1.0;
    nlohmann::json metrics = {{"uptime_ms", static_cast<std::int64_t>(uptime.count())}};
    if (startup >= 0) metrics["startup_ms"] = startup;
    const auto& roles = request.user.roles;
    const bool superuser = std::find(roles.begin(), roles.end(), "superuser") != roles.end();
    if (shared->pools && (superuser || everyone)) metrics["executors"] = poolsJson(shared->pools());
    co_return orrery::http::jsonResponse(
        code, {{"name", shared->name},
               {"version", {{"number", shared->version}, {"sdk", ORRERY_SDK_VERSION_STRING}}},
               {"status", {{"overall", levelJson(snapshot.overall, snapshot.summary)}, {"plugins", plugins}}},
               {"metrics", metrics}});
  };
}

}  // namespace orrery::status
