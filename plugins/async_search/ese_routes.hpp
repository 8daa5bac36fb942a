// Kibana's internal async search routes, which the search page polls:
//   POST /internal/search/ese          submit
//   POST /internal/search/ese/{id}     poll (and extend with keepAlive)
//   DELETE /internal/search/ese/{id}   cancel
// Request body: {"params": {"index", "body", other _search parameters}, "sessionId",
// "isStored", "strategy" (the data plugin's default if absent), "keepAlive" ("1m"), "waitForCompletion" ("100ms"), "batchedReduceSize" (64),
// "legacyHitsTotal" (true)}. Answer, as the data plugin's /internal/search/{strategy}:
// {"id", "isPartial", "isRunning", "rawResponse", "total", "loaded"}; errors in Kibana's
// shape, the Elasticsearch error kept under attributes.error.
#pragma once

#include <memory>
#include <orrery/executors.hpp>
#include <orrery/http/router.hpp>
#include <orrery/http/service.hpp>

#include "service_slot.hpp"

namespace orrery::async_search {

// On `http`'s router; a submit's client going away cancels its search.
void registerEseRoutes(http::HttpService& http, std::shared_ptr<ServiceSlot> slot, Executors& executors);

}  // namespace orrery::async_search
