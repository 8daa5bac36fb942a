#include "core/status/status_api.hpp"

#include <nlohmann/json.hpp>

#include "orrery/http/json_body.hpp"
#include "orrery/version.hpp"

namespace orrery::status {

namespace {

nlohmann::json levelJson(orrery::ServiceLevel level, const std::string& summary) {
  return {{"level", std::string(orrery::toString(level))}, {"summary", summary}};
}

}  // namespace

orrery::http::Handler statusApiHandler(const StatusService& service, StatusApiInfo info) {
  auto shared = std::make_shared<StatusApiInfo>(std::move(info));
  return [&service, shared](orrery::http::Request& request) -> orrery::Task<orrery::http::Response> {
    const auto snapshot = service.snapshot();
    const int code = snapshot.overall == orrery::ServiceLevel::unavailable ? 503 : 200;
    const bool full = !request.user.isAnonymous() || (shared->anonymousSeesAll && shared->anonymousSeesAll());
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
    co_return orrery::http::jsonResponse(
        code, {{"name", shared->name},
               {"version", {{"number", shared->version}, {"sdk", ORRERY_SDK_VERSION_STRING}}},
               {"status", {{"overall", levelJson(snapshot.overall, snapshot.summary)}, {"plugins", plugins}}},
               {"metrics", metrics}});
  };
}

}  // namespace orrery::status
