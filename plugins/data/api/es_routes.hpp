// The Elasticsearch-compatible API on the host's Elasticsearch router (mounted at /es by
// default): cluster info, indices, documents, _bulk, _refresh, _search, _count and
// _cat/indices, with Elasticsearch's response and error shapes.
#pragma once

#include <memory>
#include <orrery/executors.hpp>
#include <orrery/http/router.hpp>
#include <orrery/http/service.hpp>

#include "engine.hpp"
#include "indexing_pressure.hpp"
#include "search_service.hpp"

namespace orrery::data {

struct EsApi {
  std::shared_ptr<Engine> engine;
  std::shared_ptr<SearchService> search;
  Executors* executors = nullptr;
  // Bytes of writes being indexed at once (data.indexing_pressure.memory.limit).
  std::shared_ptr<IndexingPressure> indexingPressure = std::make_shared<IndexingPressure>(64 * 1024 * 1024);
  std::string clusterName = "orrery";
  std::string clusterUuid;
  DepthLimits limits;  // of bodies, documents, queries and aggregations (the data plugin's config)
  // Tells a search that its client went away (null in tests without a server).
  const http::HttpService* http = nullptr;
};

void registerEsRoutes(http::Router& router, std::shared_ptr<EsApi> api);

}  // namespace orrery::data
