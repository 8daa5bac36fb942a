#include "remote_answers.hpp"

#include <nlohmann/json.hpp>
#include <orrery/json_parse.hpp>


namespace orrery::async_search {
namespace {

using json = nlohmann::json;

json parseAnswer(const std::string& body) {
  try {
    return parseJson(body, 2 * kMaxJsonNestingDepth);
  } catch (const JsonTooDeep& tooDeep) {
    throw AsyncSearchError(502, "exception", std::string("the remote cluster answered a body whose ") + tooDeep.what());
  }
}

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t number(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

AsyncSearchResult resultFromCluster(int status, const std::string& body, const std::optional<std::string>& ownId) {
  const json answer = parseAnswer(body);
  if (!answer.is_object()) {
    throw AsyncSearchError(502, "exception", "the remote cluster answered HTTP " + std::to_string(status) +
                                                 " with a body that is not a JSON object");
  }
  if (!answer.contains("is_running")) {
    // Elasticsearch's plain error envelope: the request itself failed.
    const auto error = answer.find("error");
    if (status == 404 && ownId) throw AsyncSearchError(404, "resource_not_found_exception", *ownId);  // as notFound()
    if (error != answer.end() && error->is_object()) {
      throw AsyncSearchError(status >= 400 ? status : 502, text(*error, "type"), text(*error, "reason"));
    }
    throw AsyncSearchError(502, "exception", "the remote cluster answered HTTP " + std::to_string(status) +
                                                 " without an async search response");
  }
  AsyncSearchResult result;
  if (ownId && answer.contains("id")) result.id = *ownId;
  result.isRunning = answer.value("is_running", false);
  result.isPartial = answer.value("is_partial", false);
  result.startTimeMillis = number(answer, "start_time_in_millis");
  result.expirationTimeMillis = number(answer, "expiration_time_in_millis");
  if (answer.contains("completion_time_in_millis")) result.completionTimeMillis = number(answer, "completion_time_in_millis");
  result.status = status;
  if (const auto response = answer.find("response"); response != answer.end() && response->is_object()) {
    result.response = response->dump();
  }
  if (const auto error = answer.find("error"); error != answer.end() && error->is_object()) result.error = error->dump();
  // Shard counts: the response's, or a status answer's own.
  const json* shards = nullptr;
  if (const auto response = answer.find("response"); response != answer.end() && response->is_object()) {
    if (const auto s = response->find("_shards"); s != response->end() && s->is_object()) shards = &*s;
  }
  if (const auto s = answer.find("_shards"); !shards && s != answer.end() && s->is_object()) shards = &*s;
  if (shards) {
    result.shards = {static_cast<int>(number(*shards, "total")), static_cast<int>(number(*shards, "successful")),
                     static_cast<int>(number(*shards, "skipped")), static_cast<int>(number(*shards, "failed"))};
  }
  if (answer.contains("completion_status")) result.status = static_cast<int>(number(answer, "completion_status"));
  return result;
}

std::optional<std::string> clusterSearchId(const std::string& body) {
  json answer;
  try {
    answer = parseJson(body, 2 * kMaxJsonNestingDepth);
  } catch (const JsonTooDeep&) {
    return std::nullopt;
  }
  if (!answer.is_object()) return std::nullopt;
  const auto id = answer.find("id");
  if (id == answer.end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

bool lacksAsyncSearch(int status, const std::string& body) {
  if (status == 405) return true;
  if (status != 400 && status != 404) return false;
  json answer;
  try {
    answer = parseJson(body, 2 * kMaxJsonNestingDepth);
  } catch (const JsonTooDeep&) {
    return false;  // an answer, if a strange one: the endpoint exists
  }
  if (!answer.is_object()) return status == 404;  // not even an Elasticsearch error: no such endpoint
  const auto error = answer.find("error");
  if (error == answer.end()) return status == 404;
  const std::string reason = error->is_object() ? text(*error, "reason") : error->is_string() ? error->get<std::string>() : "";
  return reason.find("no handler found") != std::string::npos;
}

}  // namespace orrery::async_search
