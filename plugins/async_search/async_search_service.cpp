#include "async_search_service.hpp"

#include <nlohmann/json.hpp>

#include "async_id.hpp"
#include "time_value.hpp"
#include "typed_keys.hpp"

// g++ 12 frees temporaries written inside a co_await expression (or a capturing lambda
// passed as an argument in a coroutine) twice: every awaited Task below is named first,
// and so is every lambda (sdk/README.md).

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

std::function<void(SearchRecord&)> setExpiry(std::int64_t expiration) {
  return [expiration](SearchRecord& stored) { stored.expirationTime = expiration; };
}

}  // namespace

std::int64_t systemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

AsyncSearchError notFound(const std::string& id) { return AsyncSearchError(404, "resource_not_found_exception", id); }

AsyncSearchService::WriteTicket::WriteTicket(AsyncSearchService& s) : service(s) {
  std::lock_guard lock(service.writesMutex_);
  ++service.writesInFlight_;
}

AsyncSearchService::WriteTicket::~WriteTicket() {
  {
    std::lock_guard lock(service.writesMutex_);
    --service.writesInFlight_;
  }
  service.writesDone_.notify_all();
}

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
      auto delegate = submitRemote(std::move(cluster), request, caller, keepAlive);
      auto delegated = co_await std::move(delegate);
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
  if (stopping_) {  // stopAll() may have taken its snapshot of the registry before the add
    discard(search);
    throw AsyncSearchError(503, "node_closed_exception", "the host is stopping; submit the search again");
  }
  launch(search);

  // The submitter going away before its answer cancels the search (seed 001).
  std::function<void()> cancelSearch = [weak = std::weak_ptr<RunningSearch>(search)] {
    if (auto running = weak.lock()) running->cancel();
  };
  auto gone = request.clientGone.onCancel(std::move(cancelSearch));
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
  auto store = storeInitial(search);
  co_await std::move(store);
  co_return search->result(true);
}

void AsyncSearchService::launch(const std::shared_ptr<RunningSearch>& search) {
  const SearchRecord record = search->record();
  data::SearchOptions options;
  options.cancellation = search->token();
  options.user = record.owner.username;
  options.sessionId = record.sessionId;
  options.strategy = record.strategy;
  // Typed always: a get may ask for either form, and only the typed one keeps the types.
  options.parameters = withTypedKeys(record.parameters);
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
        search->complete(500, "{\"error\":" + errorObject("exception", reason) + "}", self->clock_());
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
  startTask(writeFinal(search), [](std::exception_ptr) noexcept {});  // writeFinal reports its own failures
}

Task<void> AsyncSearchService::storeInitial(std::shared_ptr<RunningSearch> search) {
  SearchRecord record = search->beginStoring();
  const bool final = !record.running();
  // While it runs, the partial response stays in memory: only this host can show it.
  if (!final) record.response.reset();
  storage::NewDocument document{kDocumentType, record.id, documentBody(record), record.owner.key()};
  std::optional<AsyncSearchError> failed;
  try {
    auto create = storage_.create(std::move(document));
    co_await std::move(create);
  } catch (const StorageError& e) {
    failed = AsyncSearchError(500, "exception", std::string("the async search could not be stored: ") + e.what());
  } catch (...) {
    // A full storage queue (RejectedExecution) and the like: the route reports it; the
    // search must not run on unseen.
    search->markDeleted();
    search->cancel();
    registry_.remove(search->id());
    throw;
  }
  if (failed) {
    search->markDeleted();
    search->cancel();
    registry_.remove(search->id());
    throw *failed;
  }
  if (final) {
    registry_.remove(search->id());
    if (finalStored_) finalStored_(search->id());
  } else if (search->storedInitially()) {
    // It finished while the first write was in flight.
    auto write = writeFinal(search);
    co_await std::move(write);
  }
}

Task<void> AsyncSearchService::writeFinal(std::shared_ptr<RunningSearch> search) {
  WriteTicket ticket(*this);
  const SearchRecord final = search->record();
  std::function<void(SearchRecord&)> change = [final](SearchRecord& stored) { takeFinal(stored, final); };
  std::string failure;
  try {
    auto update = updateStored(final.id, std::move(change));
    co_await std::move(update);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    // Memory keeps answering for it until it expires (removeExpired forgets it then);
    // other hosts see it as stored last.
    logger_.error("async search " + final.id + ": its result could not be stored: " + failure, {{"id", final.id}});
    co_return;
  }
  // From now on, get answers from storage: the memory goes with the search.
  registry_.remove(final.id);
  if (finalStored_) finalStored_(final.id);
}

Task<bool> AsyncSearchService::updateStored(std::string id, std::function<void(SearchRecord&)> change) {
  constexpr int kAttempts = 16;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto fetch = storage_.get(kDocumentType, id);
    auto document = co_await std::move(fetch);
    if (!document) co_return false;
    SearchRecord record = recordFromDocument(id, document->body);
    change(record);
    bool conflict = false;
    try {
      auto update = storage_.update(kDocumentType, id, documentBody(record), document->version);
      co_await std::move(update);
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
  auto fetch = storage_.get(kDocumentType, id);
  auto document = co_await std::move(fetch);
  if (!document) throw notFound(id);
  SearchRecord record = recordFromDocument(id, document->body);
  if (!mayAccess(record.owner, caller) && !(superuserMay && isSuperuser(caller))) throw notFound(id);
  if (record.expirationTime < clock_()) throw notFound(id);
  co_return record;
}

Task<bool> AsyncSearchService::expiredEverywhere(std::shared_ptr<RunningSearch> search) {
  if (search->expirationTime() >= clock_()) co_return false;
  auto fetch = storage_.get(kDocumentType, search->id());
  auto document = co_await std::move(fetch);
  if (document) {
    const auto stored = recordFromDocument(search->id(), document->body).expirationTime;
    if (stored >= clock_()) {
      search->setExpirationTime(stored);  // extended through another host
      co_return false;
    }
  }
  co_return true;
}

void AsyncSearchService::discard(const std::shared_ptr<RunningSearch>& search) {
  search->markDeleted();
  search->cancel();
  registry_.remove(search->id());
  auto done = [self = shared_from_this(), id = search->id()](std::exception_ptr error) noexcept {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      self->logger_.warn("async search " + id + " could not be deleted from storage: " + e.what() +
                         "; the cleanup task deletes it once it has expired");
    } catch (...) {
    }
  };
  startTask(removeStored(search->id()), std::move(done));
}

Task<void> AsyncSearchService::removeStored(std::string id) {
  try {
    auto remove = storage_.remove(kDocumentType, id, std::nullopt);
    co_await std::move(remove);
  } catch (const StorageError& e) {
    if (e.kind() != ErrorKind::notFound) throw;
  }
}

Task<AsyncSearchResult> AsyncSearchService::get(std::string id, GetOptions options, Caller caller) {
  if (!wellFormedAsyncId(id)) throw invalidId(id);
  if (options.keepAlive) checkKeepAlive(*options.keepAlive, formatTimeValue(*options.keepAlive), settings_.keepAlive);
  if (auto search = registry_.find(id); search && !search->deleted()) {
    if (!mayAccess(search->owner(), caller)) throw notFound(id);
    auto check = expiredEverywhere(search);
    if (co_await std::move(check)) {
      discard(search);
      throw notFound(id);
    }
    if (options.keepAlive) {
      const auto expiration = clock_() + options.keepAlive->count();
      search->setExpirationTime(expiration);
      // Persisted before the answer, as Elasticsearch does.
      auto update = updateStored(id, setExpiry(expiration));
      co_await std::move(update);
    }
    WaitUntilDone wait(search, executors_, options.waitForCompletion);
    co_await wait;
    co_return search->result(true);
  }
  auto load = loadVisible(id, caller, false);
  SearchRecord record = co_await std::move(load);
  if (record.remoteId) {
    std::vector<std::pair<std::string, std::string>> parameters;
    if (options.waitForCompletion.count() > 0) {
      parameters.emplace_back("wait_for_completion_timeout", std::to_string(options.waitForCompletion.count()) + "ms");
    }
    if (options.keepAlive) parameters.emplace_back("keep_alive", formatTimeValue(*options.keepAlive));
    parameters.emplace_back("typed_keys", "true");
    auto ask = askRemote(record, std::move(parameters), false);
    auto result = co_await std::move(ask);
    if (options.keepAlive) {
      auto update = updateStored(id, setExpiry(result.expirationTimeMillis));
      co_await std::move(update);
    }
    co_return result;
  }
  if (options.keepAlive) {
    const auto expiration = clock_() + options.keepAlive->count();
    auto update = updateStored(id, setExpiry(expiration));
    if (!co_await std::move(update)) throw notFound(id);
    record.expirationTime = expiration;
  }
  co_return record.result(true);
}

Task<AsyncSearchResult> AsyncSearchService::status(std::string id, std::optional<std::chrono::milliseconds> keepAlive,
                                                   Caller caller) {
  if (!wellFormedAsyncId(id)) throw invalidId(id);
  if (keepAlive) checkKeepAlive(*keepAlive, formatTimeValue(*keepAlive), settings_.keepAlive);
  auto search = registry_.find(id);
  if (search && search->deleted()) search.reset();
  if (search) {
    if (!mayAccess(search->owner(), caller) && !isSuperuser(caller)) throw notFound(id);
    auto check = expiredEverywhere(search);
    if (co_await std::move(check)) {
      discard(search);
      throw notFound(id);
    }
  }
  std::optional<SearchRecord> stored;
  if (!search) {
    auto load = loadVisible(id, caller, true);
    stored = co_await std::move(load);
  }
  if (stored && stored->remoteId) {
    std::vector<std::pair<std::string, std::string>> parameters;
    if (keepAlive) parameters.emplace_back("keep_alive", formatTimeValue(*keepAlive));
    auto ask = askRemote(*stored, std::move(parameters), true);
    auto result = co_await std::move(ask);
    if (keepAlive) {
      auto update = updateStored(id, setExpiry(result.expirationTimeMillis));
      co_await std::move(update);
    }
    result.response.reset();
    co_return result;
  }
  if (keepAlive) {
    const auto expiration = clock_() + keepAlive->count();
    if (search) search->setExpirationTime(expiration);
    auto update = updateStored(id, setExpiry(expiration));
    if (!co_await std::move(update)) throw notFound(id);
    if (stored) stored->expirationTime = expiration;
  }
  auto result = stored ? stored->result(true) : search->result(true);
  result.response.reset();  // a status answer carries no response
  co_return result;
}

Task<AsyncSearchResult> AsyncSearchService::extend(std::string id, std::chrono::milliseconds keepAlive, Caller caller) {
  GetOptions options{.waitForCompletion = std::chrono::milliseconds(0), .keepAlive = keepAlive};
  auto got = get(std::move(id), options, std::move(caller));
  co_return co_await std::move(got);
}

Task<void> AsyncSearchService::remove(std::string id, Caller caller) {
  // Elasticsearch answers every failure to delete, a malformed id too, as not found.
  if (!wellFormedAsyncId(id)) throw notFound(id);
  if (auto search = registry_.find(id); search && !search->deleted()) {
    if (!mayAccess(search->owner(), caller) && !isSuperuser(caller)) throw notFound(id);
    search->markDeleted();
    search->cancel();
    registry_.remove(id);
    auto remove = removeStored(id);
    co_await std::move(remove);
    co_return;
  }
  auto load = loadVisible(id, caller, true);
  SearchRecord record = co_await std::move(load);
  if (record.remoteId) {
    std::vector<std::string> segments{"_async_search", *record.remoteId};
    auto send = clusterFor(record)->send("DELETE", std::move(segments), {}, {}, CancellationToken());
    auto answer = co_await std::move(send);
    // Gone there already (expired, deleted) is fine; a cluster that cannot be reached is not.
    if (!answer.reached) throw AsyncSearchError(502, "connect_transport_exception", answer.failure);
  }
  auto remove = removeStored(record.id);
  co_await std::move(remove);
}

}  // namespace orrery::async_search
