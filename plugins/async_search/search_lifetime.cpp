// The async search service at the ends of a search's life: the cleanup task's run, the
// host's stop, and resumeOnRestart at the next start.
#include "async_search_service.hpp"

namespace orrery::async_search {

using storage::ErrorKind;
using storage::StorageError;

Task<std::size_t> AsyncSearchService::removeExpired() {
  std::size_t removed = 0;
  for (const auto& search : registry_.all()) {
    auto check = expiredEverywhere(search);
    if (!co_await std::move(check)) continue;
    search->markDeleted();
    search->cancel();
    registry_.remove(search->id());
    auto remove = removeStored(search->id());
    co_await std::move(remove);
    ++removed;
  }
  const auto now = clock_();
  while (true) {
    storage::FindQuery query{.type = kDocumentType,
                             .filters = {storage::Filter::lt("expirationTime", now)},
                             .sort = {{"expirationTime", storage::SortOrder::ascending}},
                             .limit = 100};
    auto find = storage_.find(std::move(query));
    auto page = co_await std::move(find);
    if (page.documents.empty()) break;
    std::size_t removedThisPage = 0;
    for (const auto& document : page.documents) {
      bool deleted = true;
      try {
        auto remove = storage_.remove(kDocumentType, document.id, document.version);
        co_await std::move(remove);
      } catch (const StorageError& e) {
        // Changed meanwhile (extended by its owner) or deleted by another host: not this
        // run's to count.
        deleted = false;
        if (e.kind() != ErrorKind::notFound && e.kind() != ErrorKind::conflict) throw;
      }
      if (deleted) ++removedThisPage;
    }
    removed += removedThisPage;
    if (removedThisPage == 0) break;  // every one changed or went under us: the next run sees what is left
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
    auto find = storage_.find(std::move(query));
    auto page = co_await std::move(find);
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
        auto update = storage_.update(kDocumentType, record.id, documentBody(record), document.version);
        co_await std::move(update);
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
