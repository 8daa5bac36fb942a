// The async search service behind the plugin's contract: starts searches on the data
// plugin's search service, keeps the running ones in memory (Registry), stores what must
// outlive the submit as `async-search` documents, and answers get, status, extend and
// delete for the owner only, from memory when the search runs here and from storage
// otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <orrery/async_search/async_search.hpp>
#include <orrery/data/search_service.hpp>
#include <orrery/executors.hpp>
#include <orrery/logger.hpp>
#include <orrery/storage.hpp>

#include "parameters.hpp"
#include "registry.hpp"

namespace orrery::async_search {

struct ServiceSettings {
  KeepAliveLimits keepAlive{};
  std::int64_t maxResponseBytes = 10 * 1024 * 1024;
  int maxRunningPerUser = 100;
};

// Milliseconds since the epoch; replaceable so that tests drive expiry without waiting.
using Clock = std::function<std::int64_t()>;
std::int64_t systemMillis();

class AsyncSearchService final : public AsyncSearchStart, public std::enable_shared_from_this<AsyncSearchService> {
 public:
  AsyncSearchService(std::shared_ptr<data::SearchStart> search, storage::Storage& storage, Executors& executors,
                     Logger& logger, ServiceSettings settings, Clock clock = systemMillis)
      : search_(std::move(search)), storage_(storage), executors_(executors), logger_(logger),
        settings_(settings), clock_(std::move(clock)), registry_(settings.maxRunningPerUser) {}

  Task<AsyncSearchResult> submit(SubmitRequest request, Caller caller) override;
  Task<AsyncSearchResult> get(std::string id, GetOptions options, Caller caller) override;
  Task<AsyncSearchResult> status(std::string id, std::optional<std::chrono::milliseconds> keepAlive,
                                 Caller caller) override;
  Task<AsyncSearchResult> extend(std::string id, std::chrono::milliseconds keepAlive, Caller caller) override;
  Task<void> remove(std::string id, Caller caller) override;

  const ServiceSettings& settings() const { return settings_; }
  // Called (on any thread) each time a search's final record has been stored and the
  // search has left memory: tests wait on it instead of sleeping. Set before use.
  void onFinalStored(std::function<void(const std::string& id)> listener) { finalStored_ = std::move(listener); }
  std::size_t runningHere() const { return registry_.size(); }

  // The cleanup task's run: cancels expired searches running here and deletes every
  // expired stored search. Returns how many stored searches it deleted.
  Task<std::size_t> removeExpired();
  // The host stops: refuses new searches, ends the running ones as stopped (recorded in
  // storage as not running, with an error saying the host stopped) and waits up to
  // `wait` for those records to be written.
  void stopAll(std::chrono::milliseconds wait);
  // resumeOnRestart: runs again the stored searches a stopped host left unfinished (same
  // id, owner and expiry). Returns how many it resumed.
  Task<std::size_t> resumeStopped();

 private:
  void launch(const std::shared_ptr<RunningSearch>& search);
  void ended(const std::shared_ptr<RunningSearch>& search);
  Task<void> storeInitial(std::shared_ptr<RunningSearch> search);
  Task<void> writeFinal(std::shared_ptr<RunningSearch> search);
  void startFinalWrite(const std::shared_ptr<RunningSearch>& search);
  // Reads, changes and writes back a stored search, retrying on version conflicts.
  // Returns false when it is not stored (any more).
  Task<bool> updateStored(std::string id, std::function<void(SearchRecord&)> change);
  // The stored search `id` if `caller` may see it and it has not expired; else 404.
  Task<SearchRecord> loadVisible(std::string id, const Caller& caller, bool superuserMay);
  // Expired or deleted: cancelled, forgotten here and deleted from storage.
  void discard(const std::shared_ptr<RunningSearch>& search);
  // Whether a search running here whose expiry (in memory) has passed has expired for
  // good: another host on the store may have extended it (the stored expiry wins, and is
  // taken over).
  Task<bool> expiredEverywhere(std::shared_ptr<RunningSearch> search);
  // A final write in flight, counted so that stopAll() can wait for it.
  struct WriteTicket {
    explicit WriteTicket(AsyncSearchService& service);
    ~WriteTicket();
    WriteTicket(const WriteTicket&) = delete;
    WriteTicket& operator=(const WriteTicket&) = delete;
    AsyncSearchService& service;
  };
  Task<void> removeStored(std::string id);

  // Delegation to a remote cluster's own _async_search. submitRemote answers nullopt when
  // the cluster has none (the caller then runs the search here).
  Task<std::optional<AsyncSearchResult>> submitRemote(std::shared_ptr<data::RemoteCluster> cluster,
                                                      const SubmitRequest& request, const Caller& caller,
                                                      std::chrono::milliseconds keepAlive);
  // GET of the cluster's search behind `record` (`endpoint` "status" for a status).
  Task<AsyncSearchResult> askRemote(const SearchRecord& record, std::vector<std::pair<std::string, std::string>> parameters,
                                    bool status);
  std::shared_ptr<data::RemoteCluster> clusterFor(const SearchRecord& record) const;

  std::shared_ptr<data::SearchStart> search_;
  storage::Storage& storage_;
  Executors& executors_;
  Logger& logger_;
  ServiceSettings settings_;
  Clock clock_;
  Registry registry_;
  std::atomic<bool> stopping_{false};
  // Final writes in flight, so that stopAll() can wait for them.
  std::mutex writesMutex_;
  std::condition_variable writesDone_;
  int writesInFlight_ = 0;
  std::function<void(const std::string&)> finalStored_;
  // Strategies whose cluster answered that it has no _async_search.
  std::mutex fallbackMutex_;
  std::set<std::string> withoutAsyncSearch_;
};

// Elasticsearch's 404 for an id that is unknown, expired, deleted or someone else's.
AsyncSearchError notFound(const std::string& id);

}  // namespace orrery::async_search
