// The async search service with a remote cluster: searches on a strategy that is a
// remote Elasticsearch cluster go to the cluster's own _async_search (progress, partial
// results, keep_alive and delete are the cluster's); Orrery keeps a document of its own
// (owner, expiry, the cluster's id) and hands out its own id, so its owner check stands
// in front. A cluster without _async_search (OpenSearch) is remembered, and its searches
// run under Orrery's machinery from then on.
#include "async_id.hpp"
#include "async_search_service.hpp"
#include "remote_answers.hpp"
#include "time_value.hpp"
#include "typed_keys.hpp"

namespace orrery::async_search {

Task<std::optional<AsyncSearchResult>> AsyncSearchService::submitRemote(std::shared_ptr<data::RemoteCluster> cluster,
                                                                        const SubmitRequest& request, const Caller& caller,
                                                                        std::chrono::milliseconds keepAlive) {
  auto parameters = withTypedKeys(request.parameters);  // as for a local search: see launch()
  parameters.emplace_back("wait_for_completion_timeout", std::to_string(request.waitForCompletion.count()) + "ms");
  parameters.emplace_back("keep_on_completion", request.keepOnCompletion ? "true" : "false");
  parameters.emplace_back("keep_alive", formatTimeValue(keepAlive));
  parameters.emplace_back("batched_reduce_size", std::to_string(request.batchedReduceSize));
  std::vector<std::string> segments;
  if (!request.index.empty()) segments.push_back(request.index);
  segments.emplace_back("_async_search");
  // The cluster cancels its search when this request is aborted, as Elasticsearch does
  // when the submitter goes away.
  auto send = cluster->send("POST", std::move(segments), std::move(parameters), request.body, request.clientGone);
  auto answer = co_await std::move(send);
  if (!answer.reached) throw AsyncSearchError(502, "connect_transport_exception", answer.failure);
  if (lacksAsyncSearch(answer.status, answer.body)) {
    {
      std::lock_guard lock(fallbackMutex_);
      withoutAsyncSearch_.insert(request.strategy);
    }
    logger_.warn("the remote cluster of strategy [" + (request.strategy.empty() ? std::string("default") : request.strategy) +
                     "] has no _async_search (HTTP " + std::to_string(answer.status) +
                     "); its async searches run under Orrery's own async search from now on",
                 {{"strategy", request.strategy}});
    co_return std::nullopt;
  }
  const auto remoteId = clusterSearchId(answer.body);
  if (!remoteId) co_return resultFromCluster(answer.status, answer.body, std::nullopt);  // finished, not kept
  // The cluster keeps it: Orrery records whose it is, under an id of its own.
  SearchRecord record;
  record.id = newAsyncId();
  record.owner = Owner::of(caller);
  record.index = request.index;
  record.strategy = request.strategy;
  record.parameters = request.parameters;
  record.batchedReduceSize = request.batchedReduceSize;
  record.sessionId = request.sessionId;
  record.remoteId = remoteId;
  auto result = resultFromCluster(answer.status, answer.body, record.id);
  record.startTime = result.startTimeMillis;
  record.expirationTime = result.expirationTimeMillis;
  record.state = result.isRunning ? SearchState::running : result.error ? SearchState::failed : SearchState::completed;
  storage::NewDocument document{kDocumentType, record.id, documentBody(record), record.owner.key()};
  std::string failure;
  try {
    auto create = storage_.create(std::move(document));
    co_await std::move(create);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    // Nobody could reach the cluster's search any more: it goes too.
    std::vector<std::string> orphan{"_async_search", *remoteId};
    auto remove = cluster->send("DELETE", std::move(orphan), {}, {}, CancellationToken());
    co_await std::move(remove);
    throw AsyncSearchError(500, "exception", "the delegated async search could not be stored: " + failure);
  }
  co_return result;
}

std::shared_ptr<data::RemoteCluster> AsyncSearchService::clusterFor(const SearchRecord& record) const {
  auto cluster = search_->remoteCluster(record.strategy);
  if (!cluster) {
    throw AsyncSearchError(500, "exception", "async search [" + record.id + "] was delegated to the remote cluster of strategy [" +
                                                 record.strategy + "], which this host no longer has");
  }
  return cluster;
}

Task<AsyncSearchResult> AsyncSearchService::askRemote(const SearchRecord& record,
                                                      std::vector<std::pair<std::string, std::string>> parameters,
                                                      bool status) {
  std::vector<std::string> segments{"_async_search"};
  if (status) segments.emplace_back("status");
  segments.push_back(*record.remoteId);
  auto send = clusterFor(record)->send("GET", std::move(segments), std::move(parameters), {}, CancellationToken());
  auto answer = co_await std::move(send);
  if (!answer.reached) throw AsyncSearchError(502, "connect_transport_exception", answer.failure);
  auto result = resultFromCluster(answer.status, answer.body, record.id);
  result.id = record.id;
  co_return result;
}

}  // namespace orrery::async_search
