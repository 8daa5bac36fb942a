#include "search_routes.hpp"

#include <orrery/http/json_body.hpp>

namespace orrery::data {
namespace {

using http::Request;
using http::Response;
using json = nlohmann::json;

// Kibana's name for "the default strategy" (ES_SEARCH_STRATEGY).
constexpr std::string_view kDefaultAlias = "es";

// Kibana's server error shape around an Elasticsearch error body: the message says what
// happened, `attributes.error` keeps the cluster's error object for callers that look.
Response kibanaSearchError(const SearchOutcome& outcome) {
  json body;
  try {
    body = parseJson(outcome.body, 2 * kMaxJsonNestingDepth);  // copied and dumped below
  } catch (const JsonTooDeep&) {
    // reported by its status alone
  }
  std::string message = "search failed with HTTP " + std::to_string(outcome.status);
  json attributes = json::object();
  if (body.is_object() && body.contains("error")) {
    const auto& error = body["error"];
    attributes["error"] = error;
    if (error.is_object() && error.contains("type") && error["type"].is_string()) {
      message = error["type"].get<std::string>();
      if (error.contains("reason") && error["reason"].is_string()) message.append(": ").append(error["reason"].get<std::string>());
    } else if (error.is_string()) {
      message = error.get<std::string>();
    }
  }
  // A full search queue is Elasticsearch's 429; under /internal the host's answer to a
  // full queue is 503 with Retry-After, as for every other pool.
  const int status = outcome.status == 429 ? 503 : outcome.status;
  auto response = http::jsonResponse(status, json{{"statusCode", status},
                                                  {"error", std::string(http::reasonPhrase(status))},
                                                  {"message", message},
                                                  {"attributes", attributes}});
  if (status == 503) response.headers.set("Retry-After", "5");
  return response;
}

// A URI parameter of the search from `params`: scalars only, in the text form
// Elasticsearch reads.
std::string parameterText(const std::string& name, const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  if (value.is_array()) {
    // A list of strings is Elasticsearch's comma list (index patterns, fields).
    std::string joined;
    bool strings = true;
    for (const auto& item : value) {
      strings = strings && item.is_string();
      if (!strings) break;
      if (!joined.empty()) joined += ',';
      joined += item.get<std::string>();
    }
    if (strings) return joined;
  }
  throw http::badField("request body.params." + name, "expected a string, number, boolean or list of strings but got [" +
                                                           std::string(http::jsonTypeName(value)) + "]");
}

// Kibana's legacyHitsTotal (its default): hits.total as a number, as before Elasticsearch 7.
void shimHitsTotal(json& response) {
  auto hits = response.find("hits");
  if (hits == response.end() || !hits->is_object()) return;
  auto total = hits->find("total");
  if (total != hits->end() && total->is_object() && total->contains("value")) *total = json((*total)["value"]);
}

// What the handler reads from the request body, parsed on the search pool.
struct ParsedSearch {
  bool legacyHitsTotal = true;
  SearchOptions options;
  std::string index;
  std::string body;
};

ParsedSearch parseSearch(const Request& request, std::string strategy, int maxJsonDepth) {
  ParsedSearch parsed;
  const json body = http::parseJsonBody(request, true, maxJsonDepth);
  http::JsonFields fields(body);
  parsed.legacyHitsTotal = fields.boolean("legacyHitsTotal", true);
  parsed.options.strategy = std::move(strategy);
  parsed.options.user = request.user.username;
  parsed.options.sessionId = fields.optionalString("sessionId").value_or("");
  fields.boolean("isStored", false);
  fields.boolean("isRestore", false);
  const json* params = fields.optionalObject("params");
  fields.rejectUnknown();
  if (!params) throw http::badField("request body.params", "expected a value but got [undefined]");
  for (const auto& [key, value] : params->items()) {
    if (key == "index") {
      parsed.index = parameterText(key, value);
    } else if (key == "body") {
      if (!value.is_object()) {
        throw http::badField("request body.params.body", "expected value of type [object] but got [" +
                                                              std::string(http::jsonTypeName(value)) + "]");
      }
      parsed.body = value.dump();
    } else {
      parsed.options.parameters.emplace_back(key, parameterText(key, value));
    }
  }
  return parsed;
}

// The search's answer in Kibana's shape (parses the whole response: on the search pool).
Response shapeAnswer(const SearchOutcome& outcome, bool legacyHitsTotal) {
  if (!outcome.ok()) return kibanaSearchError(outcome);
  // A strategy's response nests its documents a few levels down; a remote cluster's is
  // outside input like a request, bounded before it is walked and dumped again.
  json raw;
  try {
    raw = parseJson(outcome.body, 2 * kMaxJsonNestingDepth);
  } catch (const JsonTooDeep& tooDeep) {
    return http::kibanaError(502, std::string("the search strategy answered a body whose ") + tooDeep.what());
  }
  if (!raw.is_object()) return http::kibanaError(502, "the search strategy answered a body that is not a JSON object");
  int total = 0;
  int loaded = 0;
  if (const auto shards = raw.find("_shards"); shards != raw.end() && shards->is_object()) {
    // A remote cluster's answer: numbers read only where they are numbers.
    const auto count = [&](const char* key) {
      const auto it = shards->find(key);
      return it != shards->end() && it->is_number_integer() ? it->get<int>() : 0;
    };
    total = count("total");
    loaded = count("successful") + count("failed");
  }
  if (legacyHitsTotal) shimHitsTotal(raw);
  return http::jsonResponse(200, json{{"rawResponse", std::move(raw)},
                                      {"isPartial", false},
                                      {"isRunning", false},
                                      {"total", total},
                                      {"loaded", loaded}});
}

}  // namespace

void registerSearchRoutes(http::HttpService& http, std::shared_ptr<SearchService> search, Executors& executors,
                          int maxJsonDepth) {
  const http::HttpService* service = &http;
  const auto handler = [search, &executors, maxJsonDepth, service](Request& request) -> Task<Response> {
    std::string strategy = request.params.at("strategy");
    if (strategy == kDefaultAlias) strategy.clear();
    if (!search->strategy(strategy)) {
      // Built by append: g++ 12 -O3 warns (-Wrestrict) on chained operator+.
      std::string message = "Search strategy [";
      message.append(request.params.at("strategy")).append("] not found; registered: ");
      const auto names = search->strategies();
      for (std::size_t i = 0; i < names.size(); ++i) message.append(i ? ", " : "").append(names[i]);
      co_return http::kibanaError(404, message);
    }
    // The body (up to 100 MB) is parsed on the search pool, never on this I/O thread.
    auto parse = [&request, strategy, maxJsonDepth] { return parseSearch(request, strategy, maxJsonDepth); };
    ParsedSearch parsed = co_await executors.blocking(std::move(parse), Pool::search);
    // A client that goes away stops its search.
    parsed.options.cancellation = service->clientGone(request);
    auto outcome = co_await search->search(std::move(parsed.index), std::move(parsed.body), std::move(parsed.options),
                                           ProgressCallback{});
    auto shape = [&outcome, legacy = parsed.legacyHitsTotal] { return shapeAnswer(outcome, legacy); };
    co_return co_await executors.blocking(std::move(shape), Pool::search);
  };
  const http::RouteOptions options{.auth = http::Auth::required, .maxBodyBytes = 100 * 1024 * 1024};
  http.router().post("/internal/search/{strategy}", handler, options);
}

}  // namespace orrery::data
