#include "search_record.hpp"

#include <nlohmann/json.hpp>
#include <orrery/json_parse.hpp>
#include <stdexcept>

namespace orrery::async_search {
namespace {

using json = nlohmann::json;

SearchState stateFromName(const std::string& name) {
  for (const auto state : {SearchState::running, SearchState::completed, SearchState::failed, SearchState::stopped}) {
    if (name == stateName(state)) return state;
  }
  throw std::invalid_argument("unknown state '" + name + "'");
}

}  // namespace

const char* stateName(SearchState state) {
  switch (state) {
    case SearchState::running: return "running";
    case SearchState::completed: return "completed";
    case SearchState::failed: return "failed";
    case SearchState::stopped: return "stopped";
  }
  return "running";
}

AsyncSearchResult SearchRecord::result(bool withId) const {
  AsyncSearchResult out;
  if (withId) out.id = id;
  out.isRunning = running();
  out.isPartial = running() || isPartial;
  out.startTimeMillis = startTime;
  out.expirationTimeMillis = expirationTime;
  out.completionTimeMillis = completionTime;
  out.response = response;
  out.error = error;
  // Elasticsearch: a running or partial search answers 200 unless it failed; a finished
  // one answers its response's status.
  out.status = error ? status : 200;
  out.shards = shards;
  return out;
}

std::string documentBody(const SearchRecord& record) {
  json body = {{"owner", ownerToJson(record.owner)},
               {"index", record.index},
               {"strategy", record.strategy},
               {"body", record.body},
               {"parameters", json::array()},
               {"batchedReduceSize", record.batchedReduceSize},
               {"sessionId", record.sessionId},
               {"startTime", record.startTime},
               {"expirationTime", record.expirationTime},
               {"state", stateName(record.state)},
               {"isPartial", record.isPartial},
               {"status", record.status},
               {"shards", {{"total", record.shards.total},
                           {"successful", record.shards.successful},
                           {"skipped", record.shards.skipped},
                           {"failed", record.shards.failed}}}};
  for (const auto& [name, value] : record.parameters) body["parameters"].push_back({name, value});
  if (record.completionTime) body["completionTime"] = *record.completionTime;
  // Kept as text: a stored response is spliced into answers as it is.
  if (record.response) body["response"] = *record.response;
  if (record.error) body["error"] = *record.error;
  if (record.remoteId) body["remoteId"] = *record.remoteId;
  return body.dump();
}

SearchRecord recordFromDocument(const std::string& id, const std::string& text) {
  try {
    const json body = parseJson(text, kMaxJsonNestingDepth);
    if (body.is_discarded()) throw std::invalid_argument("stored async search [" + id + "] is not JSON");
    SearchRecord record;
    record.id = id;
    record.owner = ownerFromJson(body.at("owner"));
    record.index = body.at("index").get<std::string>();
    record.strategy = body.at("strategy").get<std::string>();
    record.body = body.at("body").get<std::string>();
    for (const auto& pair : body.at("parameters")) {
      record.parameters.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
    }
    record.batchedReduceSize = body.at("batchedReduceSize").get<int>();
    record.sessionId = body.at("sessionId").get<std::string>();
    record.startTime = body.at("startTime").get<std::int64_t>();
    record.expirationTime = body.at("expirationTime").get<std::int64_t>();
    if (body.contains("completionTime")) record.completionTime = body["completionTime"].get<std::int64_t>();
    record.state = stateFromName(body.at("state").get<std::string>());
    record.isPartial = body.at("isPartial").get<bool>();
    record.status = body.at("status").get<int>();
    const auto& shards = body.at("shards");
    record.shards = {shards.at("total").get<int>(), shards.at("successful").get<int>(),
                     shards.at("skipped").get<int>(), shards.at("failed").get<int>()};
    if (body.contains("response")) record.response = body["response"].get<std::string>();
    if (body.contains("error")) record.error = body["error"].get<std::string>();
    if (body.contains("remoteId")) record.remoteId = body["remoteId"].get<std::string>();
    return record;
  } catch (const json::exception& e) {
    throw std::invalid_argument("stored async search [" + id + "] is malformed: " + e.what());
  } catch (const JsonTooDeep& e) {
    throw std::invalid_argument("stored async search [" + id + "] is malformed: " + e.what());
  }
}

std::string errorObject(const std::string& type, const std::string& reason) {
  const json cause = {{"type", type}, {"reason", reason}};
  json error = {{"root_cause", json::array({cause})}, {"type", type}, {"reason", reason}};
  return error.dump();
}

void limitResponseSize(SearchRecord& record, std::int64_t maxBytes) {
  if (record.running() || !record.response || static_cast<std::int64_t>(record.response->size()) <= maxBytes) return;
  record.response.reset();
  record.completionTime.reset();  // shown only beside a response
  record.error = errorObject("illegal_argument_exception",
                             "Can't store an async search response larger than [" + std::to_string(maxBytes) +
                                 "] bytes. This limit can be set by changing the [search.max_async_search_response_size] setting.");
  record.status = 400;
  record.isPartial = true;
  if (record.state == SearchState::completed) record.state = SearchState::failed;
}

}  // namespace orrery::async_search
