// The search service behind the data plugin's contracts: a registry of strategies by
// name (a duplicate is an error) and searches dispatched to the chosen one, bridged from
// callbacks to a Task. A strategy is withdrawn when the plugin that registered it fails
// (the host tells us through LifecycleContext::trackRegistration); searches already
// running on it keep their reference and finish.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <orrery/data/search_service.hpp>
#include <orrery/executors.hpp>
#include <orrery/lifecycle_context.hpp>

namespace orrery::data {

class SearchService final : public SearchSetup, public SearchStart, public std::enable_shared_from_this<SearchService> {
 public:
  // `lifecycle` tracks other plugins' registrations (null: not tracked).
  SearchService(Executors& executors, std::string defaultStrategy, LifecycleContext* lifecycle = nullptr)
      : executors_(executors), defaultStrategy_(std::move(defaultStrategy)), lifecycle_(lifecycle) {}

  void registerStrategy(const std::string& name, std::shared_ptr<SearchStrategy> strategy) override;
  Task<SearchOutcome> search(std::string indexExpression, std::string requestBodyJson, SearchOptions options,
                             ProgressCallback onProgress) override;
  std::vector<std::string> strategies() const override;
  std::shared_ptr<RemoteCluster> remoteCluster(const std::string& name) const override;
  // The cluster behind strategy `name` (registered with it by the data plugin).
  void registerRemoteCluster(const std::string& name, std::shared_ptr<RemoteCluster> cluster);

  // The strategy for `name` (empty: the default), or nullptr.
  std::shared_ptr<SearchStrategy> strategy(const std::string& name) const;
  // Removes `name` if `registered` is still the strategy under it.
  void withdrawStrategy(const std::string& name, const SearchStrategy* registered);

 private:
  Executors& executors_;
  std::string defaultStrategy_;
  LifecycleContext* lifecycle_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SearchStrategy>> strategies_;
  std::map<std::string, std::shared_ptr<RemoteCluster>> clusters_;
};

// An Elasticsearch error body as a SearchOutcome.
SearchOutcome errorOutcome(int status, const std::string& type, const std::string& reason);

}  // namespace orrery::data
