// `POST /internal/search/{strategy}`: runs a search with a named strategy in Kibana's
// shape, for API users (and later async search). The body is
// `{"params":{"index":"...","body":{...}, <URI parameters>...}, "sessionId":"...",
// "legacyHitsTotal":true}`; the answer is `{rawResponse, isPartial, isRunning, total,
// loaded}`; errors use Kibana's `{statusCode, error, message, attributes}` shape with the
// Elasticsearch error under `attributes.error`. Strategy `es` is Kibana's name for the
// default strategy.
#pragma once

#include <memory>
#include <orrery/executors.hpp>
#include <orrery/http/router.hpp>
#include <orrery/http/service.hpp>

#include "search_service.hpp"

namespace orrery::data {

// Parsing the request and shaping the answer run on `executors`' search pool;
// `maxJsonDepth`: how deeply the request body may nest (data.json.maxNestingDepth).
// `http` tells a search that its client went away (HttpService::clientGone).
void registerSearchRoutes(http::HttpService& http, std::shared_ptr<SearchService> search, Executors& executors,
                          int maxJsonDepth);

}  // namespace orrery::data
