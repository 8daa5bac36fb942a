#include "async_search_service.hpp"

#include <nlohmann/json.hpp>

#include "async_id.hpp"
#include "remote_answers.hpp"
#include "time_value.hpp"

namespace orrery::async_search {
namespace {

using storage::ErrorKind;
using storage::StorageError;

AsyncSearchError invalidId(const std::string& id) {
  return AsyncSearchError(400, "illegal_argument_exception", "invalid id: [" + id + "]");
}

// A search's final record over what is stored: everything but the expiry, which get
// with keep_alive may have moved since.
void takeFinal(SearchRecord& stored, const SearchRecord& final) {
  const auto expiration = stored.expirationTime;
  stored = final;
  stored.expirationTime = expiration;
}

}  // namespace

std::int64_t systemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

AsyncSearchError notFound(const std::string& id) { return AsyncSearchError(404, "resource_not_found_exception", id); }

Task<AsyncSearchResult> AsyncSearchService::submit(SubmitRequest request, Caller caller) {
  if (stopping_) throw AsyncSearchError(503, "node_closed_exception", "the host is stopping; submit the search again");
  const auto keepAlive = request.keepAlive.value_or(settings_.keepAlive.defaultKeepAlive);
  checkKeepAlive(keepAlive, formatTimeValue(keepAlive), settings_.keepAlive);
  if (request.batchedReduceSize < 2) throw AsyncSearchError(400, "illegal_argument_exception", "batchedReduceSize must be >= 2");
  if (auto cluster = search_->remoteCluster(request.strategy)) {
    bool lacking = false;
    {
      std::lock_guard lock(fallbackMutex_);
      lacking = withoutAsyncSearch_.count(request.strategy) > 0;
    }
    if (!lacking) {
      auto delegated = co_await submitRemote(std::move(cluster), request, caller, keepAlive);
      if (delegated) co_return std::move(*delegated);
    }
  }

  SearchRecord record;
  record.id = newAsyncId();
  record.owner = Owner::of(caller);
  record.index = request.index.empty() ? "_all" : request.index;
  record.strategy = request.strategy;
  record.body = std::move(request.body);
  record.parameters = std::move(request.parameters);
  record.batchedReduceSize = request.batchedReduceSize;
  record.sessionId = request.sessionId;
  record.startTime = clock_();
  record.expirationTime = record.startTime + keepAlive.count();
  auto search = std::make_shared<RunningSearch>(std::move(record), request.keepOnCompletion, settings_.maxResponseBytes);
  registry_.add(search);
  launch(search);

  // The submitter going away before its answer cancels the search (seed 001).
  auto gone = request.clientGone.onCancel([weak = std::weak_ptr<RunningSearch>(search)] {
    if (auto running = weak.lock()) running->cancel();
  });
  WaitUntilDone wait(search, executors_, request.waitForCompletion);
  co_await wait;
  gone.reset();
  if (request.clientGone.cancelled()) {
    discard(search);
    throw AsyncSearchError(400, "task_cancelled_exception", "the client of the submit went away; the search was cancelled");
  }
  if (search->done() && !request.keepOnCompletion) {
    // Finished in time and not kept: nothing is stored, as with a plain _search.
    registry_.remove(search->id());
    co_return search->result(false);
  }
  co_await storeInitial(search);
  co_return search->result(true);
}

void AsyncSearchService::launch(const std::shared_ptr<RunningSearch>& search) {
  const SearchRecord record = search->record();
  data::SearchOptions options;
  options.cancellation = search->token();
  options.user = record.owner.username;
  options.sessionId = record.sessionId;
  options.strategy = record.strategy;
  options.parameters = record.parameters;
  options.parameters.emplace_back("batched_reduce_size", std::to_string(record.batchedReduceSize));
  std::weak_ptr<RunningSearch> weak = search;
  data::ProgressCallback progress = [weak](const data::SearchProgress& update) {
    if (auto running = weak.lock()) {
      running->progress({update.total, update.successful, update.skipped, update.failed}, update.partialResponse);
    }
  };
  auto task = search_->search(record.index, record.body, std::move(options), std::move(progress));
  startTask(std::move(task), [self = shared_from_this(), search](std::exception_ptr error,
                                                                 std::optional<data::SearchOutcome> outcome) noexcept {
    try {
      if (error || !outcome) {
        std::string reason = "the search failed";
        try {
          if (error) std::rethrow_exception(error);
        } catch (const std::exception& e) {
          reason = e.what();
        } catch (...) {
        }
        search->complete(500, nlohmann::json{{"error", nlohmann::json::parse(errorObject("exception", reason))}}.dump(),
                         self->clock_());
      } else {
        search->complete(outcome->status, std::move(outcome->body), self->clock_());
      }
      self->ended(search);
    } catch (const std::exception& e) {
      self->logger_.error(std::string("async search ") + search->id() + " could not record its end: " + e.what());
    }
  });
}

void AsyncSearchService::ended(const std::shared_ptr<RunningSearch>& search) {
  if (search->claimFinalWrite()) startFinalWrite(search);
}

void AsyncSearchService::startFinalWrite(const std::shared_ptr<RunningSearch>& search) {
  {
    std::lock_guard lock(writesMutex_);
    ++writesInFlight_;
  }
  startTask(writeFinal(search), [self = shared_from_this(), search](std::exception_ptr error) noexcept {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        self->logger_.error("async search " + search->id() + ": its result could not be stored: " + e.what(),
                            {{"id", search->id()}});
      } catch (...) {
      }
    }
    {
      std::lock_guard lock(self->writesMutex_);
      --self->writesInFlight_;
    }
    self->writesDone_.notify_all();
  });
}

Task<void> AsyncSearchService::storeInitial(std::shared_ptr<RunningSearch> search) {
  SearchRecord record = search->beginStoring();
  const bool final = !record.running();
  // While it runs, the partial response stays in memory: only this host can show it.
  if (!final) record.response.reset();
  try {
    co_await storage_.create({kDocumentType, record.id, documentBody(record), record.owner.key()});
  } catch (const StorageError& e) {
    search->markDeleted();
    search->cancel();
    registry_.remove(search->id());
    throw AsyncSearchError(500, "exception", std::string("the async search could not be stored: ") + e.what());
  }
  if (final) {
    registry_.remove(search->id());
    if (finalStored_) finalStored_(search->id());
  } else if (search->storedInitially()) {
    // It finished while the first write was in flight.
    co_await writeFinal(search);
  }
}

Task<void> AsyncSearchService::writeFinal(std::shared_ptr<RunningSearch> search) {
  const SearchRecord final = search->record();
  co_await updateStored(final.id, [&final](SearchRecord& stored) { takeFinal(stored, final); });
  // From now on, get answers from storage: the memory goes with the search.
  registry_.remove(final.id);
  if (finalStored_) finalStored_(final.id);
}

Task<bool> AsyncSearchService::updateStored(std::string id, std::function<void(SearchRecord&)> change) {
  constexpr int kAttempts = 16;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto document = co_await storage_.get(kDocumentType, id);
    if (!document) co_return false;
    SearchRecord record = recordFromDocument(id, document->body);
    change(record);
    bool conflict = false;
    try {
      co_await storage_.update(kDocumentType, id, documentBody(record), document->version);
    } catch (const StorageError& e) {
      if (e.kind() == ErrorKind::notFound) co_return false;
      if (e.kind() != ErrorKind::conflict) throw;
      conflict = true;
    }
    if (!conflict) co_return true;
  }
  throw AsyncSearchError(409, "version_conflict_engine_exception",
                         "[" + id + "]: the stored async search kept changing while it was being updated");
}

Task<SearchRecord> AsyncSearchService::loadVisible(std::string id, const Caller& caller, bool superuserMay) {
  auto document = co_await storage_.get(kDocumentType, id);
  if (!document) throw notFound(id);
  SearchRecord record = recordFromDocument(id, document->body);
  if (!mayAccess(record.owner, caller) && !(superuserMay && isSuperuser(caller))) throw notFound(id);
  if (record.expirationTime < clock_()) throw notFound(id);
  co_return record;
}

void AsyncSearchService::discard(const std::shared_ptr<RunningSearch>& search) {
  search->markDeleted();
  search->cancel();
  registry_.remove(search->id());
  startTask(removeStored(search->id()), [self = shared_from_this(), id = search->id()](std::exception_ptr error) noexcept {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      self->logger_.warn("async search " + id + " could not be deleted from storage: " + e.what() +
                         "; the cleanup task deletes it once it has expired");
    } catch (...) {
    }
  });
}

Task<void> AsyncSearchService::removeStored(std::string id) {
  try {
    co_await storage_.remove(kDocumentType, id, std::nullopt);
  } catch (const StorageError& e) {
    if (e.kind() != ErrorKind::notFound) throw;
  }
}

Task<std::optional<AsyncSearchResult>> AsyncSearchService::submitRemote(std::shared_ptr<data::RemoteCluster> cluster,
                                                                        const SubmitRequest& request, const Caller& caller,
                                                                        std::chrono::milliseconds keepAlive) {
  auto parameters = request.parameters;
  parameters.emplace_back("wait_for_completion_timeout", std::to_string(request.waitForCompletion.count()) + "ms");
  parameters.emplace_back("keep_on_completion", request.keepOnCompletion ? "true" : "false");
  parameters.emplace_back("keep_alive", formatTimeValue(keepAlive));
  parameters.emplace_back("batched_reduce_size", std::to_string(request.batchedReduceSize));
  std::vector<std::string> segments;
  if (!request.index.empty()) segments.push_back(request.index);
  segments.emplace_back("_async_search");
  // The cluster cancels its search when this request is aborted, as Elasticsearch does
  // when the submitter goes away.
  auto answer = co_await cluster->send("POST", std::move(segments), std::move(parameters), request.body, request.clientGone);
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
  co_await storage_.create({kDocumentType, record.id, documentBody(record), record.owner.key()});
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
  auto answer = co_await clusterFor(record)->send("GET", std::move(segments), std::move(parameters), {}, {});
  if (!answer.reached) throw AsyncSearchError(502, "connect_transport_exception", answer.failure);
  auto result = resultFromCluster(answer.status, answer.body, record.id);
  result.id = record.id;
  co_return result;
}

Task<AsyncSearchResult> AsyncSearchService::get(std::string id, GetOptions options, Caller caller) {
  if (!wellFormedAsyncId(id)) throw invalidId(id);
  if (options.keepAlive) checkKeepAlive(*options.keepAlive, formatTimeValue(*options.keepAlive), settings_.keepAlive);
  if (auto search = registry_.find(id); search && !search->deleted()) {
    if (!mayAccess(search->owner(), caller)) throw notFound(id);
    if (search->expirationTime() < clock_()) {
      discard(search);
      throw notFound(id);
    }
    if (options.keepAlive) {
      const auto expiration = clock_() + options.keepAlive->count();
      search->setExpirationTime(expiration);
      // Persisted before the answer, as Elasticsearch does.
      co_await updateStored(id, [expiration](SearchRecord& stored) { stored.expirationTime = expiration; });
    }
    WaitUntilDone wait(search, executors_, options.waitForCompletion);
    co_await wait;
    co_return search->result(true);
  }
  SearchRecord record = co_await loadVisible(id, caller, false);
  if (record.remoteId) {
    std::vector<std::pair<std::string, std::string>> parameters;
    if (options.waitForCompletion.count() > 0) {
      parameters.emplace_back("wait_for_completion_timeout", std::to_string(options.waitForCompletion.count()) + "ms");
    }
    if (options.keepAlive) parameters.emplace_back("keep_alive", formatTimeValue(*options.keepAlive));
    auto result = co_await askRemote(record, std::move(parameters), false);
    if (options.keepAlive) {
      const auto expiration = result.expirationTimeMillis;
      co_await updateStored(id, [expiration](SearchRecord& stored) { stored.expirationTime = expiration; });
    }
    co_return result;
  }
  if (options.keepAlive) {
    const auto expiration = clock_() + options.keepAlive->count();
    if (!co_await updateStored(id, [expiration](SearchRecord& stored) { stored.expirationTime = expiration; })) {
      throw notFound(id);
    }
    record.expirationTime = expiration;
  }
  co_return record.result(true);
}

Task<AsyncSearchResult> AsyncSearchService::status(std::string id, std::optional<std::chrono::milliseconds> keepAlive,
                                                   Caller caller) {
  if (!wellFormedAsyncId(id)) throw invalidId(id);
  if (keepAlive) checkKeepAlive(*keepAlive, formatTimeValue(*keepAlive), settings_.keepAlive);
  const auto search = registry_.find(id);
  if (search && !search->deleted()) {
    if (!mayAccess(search->owner(), caller) && !isSuperuser(caller)) throw notFound(id);
    if (search->expirationTime() < clock_()) {
      discard(search);
      throw notFound(id);
    }
  }
  std::optional<SearchRecord> stored;
  if (!search || search->deleted()) stored = co_await loadVisible(id, caller, true);
  if (stored && stored->remoteId) {
    std::vector<std::pair<std::string, std::string>> parameters;
    if (keepAlive) parameters.emplace_back("keep_alive", formatTimeValue(*keepAlive));
    auto result = co_await askRemote(*stored, std::move(parameters), true);
    if (keepAlive) {
      const auto expiration = result.expirationTimeMillis;
      co_await updateStored(id, [expiration](SearchRecord& record) { record.expirationTime = expiration; });
    }
    result.response.reset();
    co_return result;
  }
  if (keepAlive) {
    const auto expiration = clock_() + keepAlive->count();
    if (search) search->setExpirationTime(expiration);
    if (!co_await updateStored(id, [expiration](SearchRecord& record) { record.expirationTime = expiration; })) {
      throw notFound(id);
    }
    if (stored) stored->expirationTime = expiration;
  }
  auto result = stored ? stored->result(true) : search->result(true);
  result.response.reset();  // a status answer carries no response
  co_return result;
}

Task<AsyncSearchResult> AsyncSearchService::extend(std::string id, std::chrono::milliseconds keepAlive, Caller caller) {
  co_return co_await get(std::move(id), GetOptions{.waitForCompletion = std::chrono::milliseconds(0), .keepAlive = keepAlive},
                         std::move(caller));
}

Task<void> AsyncSearchService::remove(std::string id, Caller caller) {
  // Elasticsearch answers every failure to delete, a malformed id too, as not found.
  if (!wellFormedAsyncId(id)) throw notFound(id);
  if (auto search = registry_.find(id); search && !search->deleted()) {
    if (!mayAccess(search->owner(), caller) && !isSuperuser(caller)) throw notFound(id);
    search->markDeleted();
    search->cancel();
    registry_.remove(id);
    co_await removeStored(id);
    co_return;
  }
  SearchRecord record = co_await loadVisible(id, caller, true);
  if (record.remoteId) {
    // Named: g++ 12 miscompiles an initializer list inside a co_await expression.
    std::vector<std::string> segments{"_async_search", *record.remoteId};
    auto answer = co_await clusterFor(record)->send("DELETE", std::move(segments), {}, {}, {});
    // Gone there already (expired, deleted) is fine; a cluster that cannot be reached is not.
    if (!answer.reached) throw AsyncSearchError(502, "connect_transport_exception", answer.failure);
  }
  co_await removeStored(record.id);
}

Task<std::size_t> AsyncSearchService::removeExpired() {
  const auto now = clock_();
  for (const auto& search : registry_.all()) {
    if (search->expirationTime() < now) {
      search->markDeleted();
      search->cancel();
      registry_.remove(search->id());
    }
  }
  std::size_t removed = 0;
  while (true) {
    storage::FindQuery query{.type = kDocumentType,
                             .filters = {storage::Filter::lt("expirationTime", now)},
                             .sort = {{"expirationTime", storage::SortOrder::ascending}},
                             .limit = 100};
    auto page = co_await storage_.find(std::move(query));
    if (page.documents.empty()) break;
    std::size_t removedThisPage = 0;
    for (const auto& document : page.documents) {
      bool gone = true;
      try {
        co_await storage_.remove(kDocumentType, document.id, document.version);
      } catch (const StorageError& e) {
        // Changed meanwhile (extended by its owner) or deleted by another host.
        gone = e.kind() == ErrorKind::notFound;
        if (e.kind() != ErrorKind::notFound && e.kind() != ErrorKind::conflict) throw;
      }
      if (gone) ++removedThisPage;
    }
    removed += removedThisPage;
    if (removedThisPage == 0) break;  // every one changed under us: the next run sees them
  }
  co_return removed;
}

void AsyncSearchService::stopAll(std::chrono::milliseconds wait) {
  stopping_ = true;
  const auto now = clock_();
  for (const auto& search : registry_.all()) {
    search->markStopped(now);
    search->cancel();
    ended(search);
  }
  std::unique_lock lock(writesMutex_);
  if (!writesDone_.wait_for(lock, wait, [this] { return writesInFlight_ == 0; })) {
    logger_.warn(std::to_string(writesInFlight_) + " stopped async search(es) could not be recorded before the host stopped");
  }
}

Task<std::size_t> AsyncSearchService::resumeStopped() {
  std::size_t resumed = 0;
  std::size_t offset = 0;
  while (true) {
    storage::FindQuery query{.type = kDocumentType,
                             .filters = {storage::Filter::eq("state", std::string(stateName(SearchState::stopped)))},
                             .sort = {{"startTime", storage::SortOrder::ascending}},
                             .offset = offset,
                             .limit = 100};
    auto page = co_await storage_.find(std::move(query));
    if (page.documents.empty()) break;
    for (const auto& document : page.documents) {
      SearchRecord record = recordFromDocument(document.id, document.body);
      if (record.expirationTime < clock_()) {
        ++offset;  // the cleanup task deletes it
        continue;
      }
      record.state = SearchState::running;
      record.isPartial = true;
      record.status = 200;
      record.completionTime.reset();
      record.response.reset();
      record.error.reset();
      record.shards = {};
      bool claimed = true;
      try {
        // Conditional on the version read: of several hosts, one resumes it.
        co_await storage_.update(kDocumentType, record.id, documentBody(record), document.version);
      } catch (const StorageError& e) {
        if (e.kind() != ErrorKind::conflict && e.kind() != ErrorKind::notFound) throw;
        claimed = false;
      }
      if (!claimed) {
        ++offset;  // changed meanwhile (resumed or extended elsewhere): not ours to run
        continue;
      }
      auto search = std::make_shared<RunningSearch>(record, true, settings_.maxResponseBytes);
      search->beginStoring();
      search->storedInitially();
      registry_.addResumed(search);
      launch(search);
      ++resumed;
      logger_.info("async search " + record.id + " resumed after the restart", {{"id", record.id}});
    }
  }
  co_return resumed;
}

}  // namespace orrery::async_search
