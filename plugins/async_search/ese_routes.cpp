#include "ese_routes.hpp"

#include <orrery/http/json_body.hpp>
#include <orrery/json_parse.hpp>

#include "caller.hpp"
#include "time_value.hpp"
#include "typed_keys.hpp"

namespace orrery::async_search {
namespace {

using http::Request;
using http::Response;
using json = nlohmann::json;

struct EseOptions {
  SubmitRequest submit;
  GetOptions poll;
  bool legacyHitsTotal = true;
  bool typedKeys = false;  // params.typed_keys
};

// A search parameter from `params` in the text form Elasticsearch reads in a URL.
std::string parameterText(const std::string& name, const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  if (value.is_array() && std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
    std::string joined;
    for (const auto& item : value) joined.append(joined.empty() ? "" : ",").append(item.get<std::string>());
    return joined;
  }
  throw http::badField("request body.params." + name, "expected a string, number, boolean or list of strings but got [" +
                                                           std::string(http::jsonTypeName(value)) + "]");
}

std::chrono::milliseconds timeOption(http::JsonFields& fields, const char* name, std::chrono::milliseconds fallback) {
  const auto text = fields.optionalString(name);
  if (!text) return fallback;
  try {
    return parseTimeValue(*text, name);
  } catch (const AsyncSearchError& error) {
    throw http::badField(std::string("request body.") + name, error.what());
  }
}

// Parsed on the search pool: the body may be large.
EseOptions parseOptions(const Request& request, bool submit) {
  EseOptions options;
  json body = request.body.empty() ? json::object() : http::parseJsonBody(request, true, 2 * kMaxJsonNestingDepth);
  http::JsonFields fields(body);
  options.legacyHitsTotal = fields.boolean("legacyHitsTotal", true);
  options.submit.sessionId = fields.optionalString("sessionId").value_or("");
  options.submit.keepOnCompletion = fields.boolean("isStored", false);
  // Orrery's own: a strategy of the data plugin other than its default.
  options.submit.strategy = fields.optionalString("strategy").value_or("");
  fields.boolean("isRestore", false);
  // Kibana's defaults for its pollers: answer within 100ms, reduce every 64 shards.
  const auto wait = timeOption(fields, "waitForCompletion", std::chrono::milliseconds(100));
  options.submit.waitForCompletion = wait;
  options.poll.waitForCompletion = wait;
  if (body.contains("keepAlive")) {
    const auto keepAlive = timeOption(fields, "keepAlive", std::chrono::minutes(1));
    options.submit.keepAlive = keepAlive;
    options.poll.keepAlive = keepAlive;
  }
  options.submit.batchedReduceSize = static_cast<int>(fields.integer("batchedReduceSize", 64, 2, 1 << 20));
  const json* params = fields.optionalObject("params");
  fields.rejectUnknown();
  if (submit && !params) throw http::badField("request body.params", "expected a value but got [undefined]");
  if (!params) return options;
  const auto typed = params->find("typed_keys");
  options.typedKeys = typed != params->end() && typed->is_boolean() && typed->get<bool>();
  for (const auto& [key, value] : params->items()) {
    if (key == "index") {
      options.submit.index = parameterText(key, value);
    } else if (key == "body") {
      if (!value.is_object()) {
        throw http::badField("request body.params.body",
                             "expected value of type [object] but got [" + std::string(http::jsonTypeName(value)) + "]");
      }
      options.submit.body = value.dump();
    } else {
      options.submit.parameters.emplace_back(key, parameterText(key, value));
    }
  }
  return options;
}

// Kibana's error shape around an Elasticsearch error.
Response kibanaFailure(int status, const std::string& type, const std::string& reason, const json& error) {
  const int shown = status == 429 ? 503 : status;  // a full queue is the host's 503 under /internal
  auto response = http::jsonResponse(shown, json{{"statusCode", shown},
                                                 {"error", std::string(http::reasonPhrase(shown))},
                                                 {"message", type + ": " + reason},
                                                 {"attributes", {{"error", error}}}});
  if (shown == 503) response.headers.set("Retry-After", "5");
  return response;
}

Response kibanaFailure(const AsyncSearchError& error) {
  return kibanaFailure(error.status(), error.type(), error.what(), json{{"type", error.type()}, {"reason", error.what()}});
}

// The answer in Kibana's shape (parses the response: on the search pool).
Response shape(const AsyncSearchResult& result, bool legacyHitsTotal, bool typedKeys) {
  if (result.error && !result.isRunning) {
    json error;
    try {
      error = parseJson(*result.error, 2 * kMaxJsonNestingDepth);
    } catch (const JsonTooDeep&) {
      error = json::object();
    }
    const auto text = [&error](const char* key) {
      return error.is_object() && error.contains(key) && error[key].is_string() ? error[key].get<std::string>() : std::string();
    };
    return kibanaFailure(result.status, text("type"), text("reason"), error);
  }
  json raw;
  if (result.response) {
    try {
      raw = parseJson(typedKeys ? *result.response : withoutTypedKeys(*result.response), 2 * kMaxJsonNestingDepth);
    } catch (const JsonTooDeep& tooDeep) {
      return http::kibanaError(502, std::string("the search strategy answered a body whose ") + tooDeep.what());
    }
  }
  if (!raw.is_object()) {
    // Nothing reduced yet: an empty response with the shards so far.
    raw = json{{"took", 0}, {"timed_out", false}, {"hits", {{"total", {{"value", 0}, {"relation", "gte"}}}, {"max_score", nullptr}, {"hits", json::array()}}}};
  }
  raw["_shards"] = {{"total", result.shards.total}, {"successful", result.shards.successful},
                    {"skipped", result.shards.skipped}, {"failed", result.shards.failed}};
  if (legacyHitsTotal) {
    // Kibana's legacyHitsTotal (its default): hits.total as a number.
    auto hits = raw.find("hits");
    if (hits != raw.end() && hits->is_object()) {
      auto total = hits->find("total");
      if (total != hits->end() && total->is_object() && total->contains("value")) *total = json((*total)["value"]);
    }
  }
  json body = {{"isPartial", result.isPartial},
               {"isRunning", result.isRunning},
               {"rawResponse", std::move(raw)},
               {"total", result.shards.total},
               {"loaded", result.shards.successful + result.shards.failed}};
  if (result.id) body["id"] = *result.id;
  return http::jsonResponse(200, body);
}

Task<Response> handle(std::shared_ptr<ServiceSlot> slot, Executors& executors, const http::HttpService& http,
                      Request& request, bool submit) {
  auto service = slot->get();
  if (!service) {
    auto response = http::kibanaError(503, "async search is not started (or is stopping)");
    response.headers.set("Retry-After", "5");
    co_return response;
  }
  try {
    auto parse = [&request, submit] { return parseOptions(request, submit); };
    EseOptions options = co_await executors.blocking(std::move(parse), Pool::search);
    AsyncSearchResult result;
    if (submit) {
      options.submit.clientGone = http.clientGone(request);
      auto task = service->submit(std::move(options.submit), callerOf(request));  // named: see async_search_service.cpp
      result = co_await std::move(task);
    } else {
      auto task = service->get(request.param("id"), options.poll, callerOf(request));
      result = co_await std::move(task);
    }
    auto reshape = [&result, legacy = options.legacyHitsTotal, typed = options.typedKeys] {
      return shape(result, legacy, typed);
    };
    co_return co_await executors.blocking(std::move(reshape), Pool::search);
  } catch (const AsyncSearchError& error) {
    co_return kibanaFailure(error);
  }
}

}  // namespace

void registerEseRoutes(http::HttpService& http, std::shared_ptr<ServiceSlot> slot, Executors& executors) {
  auto& router = http.router();
  const http::HttpService* service = &http;
  const http::RouteOptions large{.auth = http::Auth::required, .maxBodyBytes = 100 * 1024 * 1024};
  router.post("/internal/search/ese", [slot, &executors, service](Request& request) {
    return handle(slot, executors, *service, request, true);
  }, large);
  router.post("/internal/search/ese/{id}", [slot, &executors, service](Request& request) {
    return handle(slot, executors, *service, request, false);
  });
  router.del("/internal/search/ese/{id}", [slot](Request& request) -> Task<Response> {
    auto service = slot->get();
    if (!service) co_return http::kibanaError(503, "async search is not started (or is stopping)");
    try {
      auto task = service->remove(request.param("id"), callerOf(request));
      co_await std::move(task);
      co_return http::jsonResponse(200, json::object());
    } catch (const AsyncSearchError& error) {
      co_return kibanaFailure(error);
    }
  });
}

}  // namespace orrery::async_search
