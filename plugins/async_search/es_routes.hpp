// Elasticsearch's async search API under the /es mount: POST [/{index}]/_async_search,
// GET /_async_search/{id}, GET /_async_search/status/{id}, DELETE /_async_search/{id},
// with Elasticsearch's parameters, answers, headers and error bodies.
#pragma once

#include <memory>
#include <orrery/executors.hpp>
#include <orrery/http/router.hpp>
#include <orrery/http/service.hpp>

#include "service_slot.hpp"

namespace orrery::async_search {

// On `http`'s Elasticsearch router; a submit's client going away cancels its search.
void registerEsRoutes(http::HttpService& http, std::shared_ptr<ServiceSlot> slot, Executors& executors);

}  // namespace orrery::async_search
