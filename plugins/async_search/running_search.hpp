// A search running on this host: its record (latest partial response, shard counts),
// its cancellation, the requests waiting for it to finish, and where it stands on its way
// into storage. Thread-safe: progress and completion arrive on the search pool, requests
// read it on I/O threads.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <orrery/cancellation.hpp>
#include <orrery/executors.hpp>

#include "search_record.hpp"

namespace orrery::async_search {

class RunningSearch {
 public:
  RunningSearch(SearchRecord record, bool keepOnCompletion, std::int64_t maxResponseBytes)
      : record_(std::move(record)), keepOnCompletion_(keepOnCompletion), maxResponseBytes_(maxResponseBytes) {}

  const std::string& id() const { return record_.id; }  // never changes
  const Owner& owner() const { return record_.owner; }  // never changes
  CancellationToken token() const { return cancellation_.token(); }

  SearchRecord record() const;
  AsyncSearchResult result(bool withId) const;
  bool done() const;
  std::int64_t expirationTime() const;
  void setExpirationTime(std::int64_t millis);

  // From the strategy: the shards so far and the response reduced from them.
  void progress(ShardCounts shards, std::string partialResponse);
  // The end: `status` and `body` as the strategy answered (a response or an error body).
  // Returns whether this was the first end (a cancelled search may still report one).
  bool complete(int status, std::string body, std::int64_t nowMillis);
  // Ends the search as stopped with the host: not running, partial, an error saying so.
  void markStopped(std::int64_t nowMillis);

  // Cancels the running strategy (idempotent).
  void cancel() { cancellation_.cancel(); }

  // Storage: the submit decided to store it (the first write is in flight).
  // Returns the record to write, with a final response over the size limit replaced.
  SearchRecord beginStoring();
  // The first write is done. Returns whether the final record still has to be written
  // (it finished while the first write was in flight) — the caller then writes it.
  bool storedInitially();
  // After complete(): whether the final record has to be written now by this caller.
  bool claimFinalWrite();
  // Deleted by its owner or expired: no write may recreate it.
  void markDeleted();
  bool deleted() const;

  // Calls `callback` once when the search ends (at once if it has). Returns an id for
  // forget(), 0 if it was called at once.
  std::uint64_t whenDone(std::function<void()> callback);
  void forget(std::uint64_t waiterId);

 private:
  enum class Stored { no, storing, yes };
  mutable std::mutex mutex_;
  SearchRecord record_;
  bool keepOnCompletion_;
  std::int64_t maxResponseBytes_;
  CancellationSource cancellation_;
  Stored stored_ = Stored::no;
  bool finalWriteClaimed_ = false;
  bool deleted_ = false;
  std::uint64_t nextWaiter_ = 1;
  std::map<std::uint64_t, std::function<void()>> waiters_;
};

// co_await waitUntilDone(...): resumes when `search` ends or `timeout` passes, whichever
// comes first, on an I/O thread.
class WaitUntilDone {
 public:
  WaitUntilDone(std::shared_ptr<RunningSearch> search, Executors& executors, std::chrono::milliseconds timeout)
      : search_(std::move(search)), executors_(executors), timeout_(timeout) {}
  bool await_ready() const { return timeout_.count() <= 0 || search_->done(); }
  void await_suspend(std::coroutine_handle<> handle);
  void await_resume() const noexcept {}

 private:
  std::shared_ptr<RunningSearch> search_;
  Executors& executors_;
  std::chrono::milliseconds timeout_;
};

}  // namespace orrery::async_search
