// Elasticsearch's async search API under the /es mount: POST [/{index}]/_async_search,
// GET /_async_search/{id}, GET /_async_search/status/{id}, DELETE /_async_search/{id},
// with Elasticsearch's parameters, answers, headers and error bodies.
#pragma once

#include <memory>
#include <orrery/executors.hpp>
#include <orrery/http/router.hpp>

#include "service_slot.hpp"

namespace orrery::async_search {

void registerEsRoutes(http::Router& router, std::shared_ptr<ServiceSlot> slot, Executors& executors);

}  // namespace orrery::async_search
