#include "es_routes.hpp"

#include "caller.hpp"
#include "responses.hpp"
#include "typed_keys.hpp"

namespace orrery::async_search {
namespace {

using http::Request;
using http::Response;

// Elasticsearch clients (the official JavaScript client among them) check this header on
// every answer to know they talk to Elasticsearch.
Response answer(int status, std::string body) {
  auto response = Response::json(status, std::move(body));
  response.headers.set("X-Elastic-Product", "Elasticsearch");
  return response;
}

Response failure(const AsyncSearchError& error) { return answer(error.status(), errorBody(error)); }

// Bodies and responses this large are parsed on the search pool, not here.
constexpr std::size_t kInlineScanBytes = 64 * 1024;

// The answer's response in the form the request asked for (see typed_keys.hpp).
Task<void> renderKeys(AsyncSearchResult& result, bool typed, Executors& executors) {
  if (typed || !result.response) co_return;
  if (result.response->size() <= kInlineScanBytes) {
    result.response = withoutTypedKeys(*result.response);
    co_return;
  }
  auto strip = [&result] { return withoutTypedKeys(*result.response); };
  result.response = co_await executors.blocking(std::move(strip), Pool::search);
}

Task<Response> submit(std::shared_ptr<AsyncSearchService> service, Executors& executors, const http::HttpService& http,
                      Request& request) {
  const auto index = request.params.find("index");
  SubmitRequest submitted;
  try {
    const auto& limits = service->settings().keepAlive;
    if (request.body.size() <= kInlineScanBytes) {
      submitted = parseSubmitParameters(request.query, request.body, limits);
    } else {
      auto parse = [&request, &limits] { return parseSubmitParameters(request.query, request.body, limits); };
      submitted = co_await executors.blocking(std::move(parse), Pool::search);
    }
    if (index != request.params.end()) submitted.index = index->second;
    // /es is the embedded engine's surface (as /es/_search): `local` unless the client
    // names another strategy.
    if (submitted.strategy.empty()) submitted.strategy = "local";
    submitted.body = std::move(request.body);
    submitted.clientGone = http.clientGone(request);
    const bool typed = typedKeysAsked(request.query);
    auto task = service->submit(std::move(submitted), callerOf(request));  // named: see async_search_service.cpp
    auto result = co_await std::move(task);
    auto render = renderKeys(result, typed, executors);
    co_await std::move(render);
    auto response = answer(result.status, asyncSearchBody(result));
    if (result.id) response.headers.set("X-Elasticsearch-Async-Id", *result.id);
    response.headers.set("X-Elasticsearch-Async-Is-Running", result.isRunning ? "?1" : "?0");
    co_return response;
  } catch (const AsyncSearchError& error) {
    co_return failure(error);
  } catch (const RejectedExecution& refused) {
    co_return failure(AsyncSearchError(429, "es_rejected_execution_exception", refused.what()));
  }
}

Task<Response> get(std::shared_ptr<AsyncSearchService> service, Executors& executors, Request& request) {
  try {
    const auto options = parseGetParameters(request.query, service->settings().keepAlive);
    auto task = service->get(request.param("id"), options, callerOf(request));
    auto result = co_await std::move(task);
    auto render = renderKeys(result, typedKeysAsked(request.query), executors);
    co_await std::move(render);
    co_return answer(result.status, asyncSearchBody(result));
  } catch (const AsyncSearchError& error) {
    co_return failure(error);
  }
}

Task<Response> status(std::shared_ptr<AsyncSearchService> service, Request& request) {
  try {
    const auto keepAlive = parseStatusParameters(request.query, service->settings().keepAlive);
    auto task = service->status(request.param("id"), keepAlive, callerOf(request));
    const auto result = co_await std::move(task);
    co_return answer(200, statusBody(result));
  } catch (const AsyncSearchError& error) {
    co_return failure(error);
  }
}

Task<Response> remove(std::shared_ptr<AsyncSearchService> service, Request& request) {
  try {
    auto task = service->remove(request.param("id"), callerOf(request));
    co_await std::move(task);
    co_return answer(200, R"({"acknowledged":true})");
  } catch (const AsyncSearchError& error) {
    co_return failure(error);
  }
}

// The service, or the 503 Elasticsearch answers while a node is not ready.
std::shared_ptr<AsyncSearchService> serviceIn(ServiceSlot& slot) {
  auto service = slot.get();
  if (!service) throw AsyncSearchError(503, "node_not_ready_exception", "async search is not started (or is stopping)");
  return service;
}

// Runs `handler` with the service, answering an AsyncSearchError as Elasticsearch does.
template <class Handler>
Task<Response> withService(std::shared_ptr<ServiceSlot> slot, Handler handler) {
  try {
    auto task = handler(serviceIn(*slot));
    co_return co_await std::move(task);
  } catch (const AsyncSearchError& error) {
    co_return failure(error);
  }
}

}  // namespace

void registerEsRoutes(http::HttpService& http, std::shared_ptr<ServiceSlot> slot, Executors& executors) {
  auto& router = http.elasticsearchRouter();
  const http::HttpService* service = &http;
  // As large as a plain _search body may be.
  const http::RouteOptions large{.auth = http::Auth::required, .maxBodyBytes = 100 * 1024 * 1024};
  const auto submitHandler = [slot, &executors, service](Request& request) {
    return withService(slot, [&](std::shared_ptr<AsyncSearchService> s) {
      return submit(std::move(s), executors, *service, request);
    });
  };
  router.post("/_async_search", submitHandler, large);
  router.post("/{index}/_async_search", submitHandler, large);
  router.get("/_async_search/{id}", [slot, &executors](Request& request) {
    return withService(slot, [&](std::shared_ptr<AsyncSearchService> s) { return get(std::move(s), executors, request); });
  });
  router.get("/_async_search/status/{id}", [slot](Request& request) {
    return withService(slot, [&](std::shared_ptr<AsyncSearchService> s) { return status(std::move(s), request); });
  });
  router.del("/_async_search/{id}", [slot](Request& request) {
    return withService(slot, [&](std::shared_ptr<AsyncSearchService> s) { return remove(std::move(s), request); });
  });
}

}  // namespace orrery::async_search
