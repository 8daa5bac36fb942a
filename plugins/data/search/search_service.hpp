// The search service behind the data plugin's contracts: a registry of strategies by
// name (a duplicate is an error) and searches dispatched to the chosen one, bridged from
// callbacks to a Task.
#pragma once

#include <map>
#include <mutex>
#include <orrery/data/search_service.hpp>
#include <orrery/executors.hpp>

namespace orrery::data {

class SearchService final : public SearchSetup, public SearchStart {
 public:
  SearchService(Executors& executors, std::string defaultStrategy)
      : executors_(executors), defaultStrategy_(std::move(defaultStrategy)) {}

  void registerStrategy(const std::string& name, std::shared_ptr<SearchStrategy> strategy) override;
  Task<SearchOutcome> search(std::string indexExpression, std::string requestBodyJson, SearchOptions options,
                             ProgressCallback onProgress) override;
  std::vector<std::string> strategies() const override;

  // The strategy for `name` (empty: the default), or nullptr.
  std::shared_ptr<SearchStrategy> strategy(const std::string& name) const;

 private:
  Executors& executors_;
  std::string defaultStrategy_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<SearchStrategy>> strategies_;
};

// An Elasticsearch error body as a SearchOutcome.
SearchOutcome errorOutcome(int status, const std::string& type, const std::string& reason);

}  // namespace orrery::data
