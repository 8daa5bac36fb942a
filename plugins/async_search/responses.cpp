#include "responses.hpp"

#include <nlohmann/json.hpp>

namespace orrery::async_search {
namespace {

void field(std::string& out, const char* name, const std::string& rawValue) {
  if (out.size() > 1) out += ',';
  out.append("\"").append(name).append("\":").append(rawValue);
}

std::string boolText(bool value) { return value ? "true" : "false"; }

void commonFields(std::string& out, const AsyncSearchResult& result, bool statusOrder) {
  if (result.id) field(out, "id", nlohmann::json(*result.id).dump());
  if (statusOrder) {
    field(out, "is_running", boolText(result.isRunning));
    field(out, "is_partial", boolText(result.isPartial));
  } else {
    field(out, "is_partial", boolText(result.isPartial));
    field(out, "is_running", boolText(result.isRunning));
  }
  field(out, "start_time_in_millis", std::to_string(result.startTimeMillis));
  field(out, "expiration_time_in_millis", std::to_string(result.expirationTimeMillis));
  if (!result.isRunning && result.completionTimeMillis) {
    field(out, "completion_time_in_millis", std::to_string(*result.completionTimeMillis));
  }
}

}  // namespace

std::string asyncSearchBody(const AsyncSearchResult& result) {
  std::string out = "{";
  out.reserve(256 + (result.response ? result.response->size() : 0));
  commonFields(out, result, false);
  if (result.response) field(out, "response", *result.response);
  if (result.error) field(out, "error", *result.error);
  out += '}';
  return out;
}

std::string statusBody(const AsyncSearchResult& result) {
  std::string out = "{";
  commonFields(out, result, true);
  const auto& s = result.shards;
  field(out, "_shards", "{\"total\":" + std::to_string(s.total) + ",\"successful\":" + std::to_string(s.successful) +
                            ",\"skipped\":" + std::to_string(s.skipped) + ",\"failed\":" + std::to_string(s.failed) + "}");
  if (!result.isRunning) field(out, "completion_status", std::to_string(result.status));
  out += '}';
  return out;
}

std::string errorBody(const AsyncSearchError& error) {
  const nlohmann::json cause = {{"type", error.type()}, {"reason", error.what()}};
  nlohmann::json body = {{"error", {{"root_cause", nlohmann::json::array({cause})}, {"type", error.type()}, {"reason", error.what()}}},
                         {"status", error.status()}};
  return body.dump();
}

}  // namespace orrery::async_search
