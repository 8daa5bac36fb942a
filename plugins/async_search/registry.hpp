// The searches running on this host, by id, and the per-user limit on how many run at once.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "running_search.hpp"

namespace orrery::async_search {

class Registry {
 public:
  explicit Registry(int maxRunningPerUser) : maxRunningPerUser_(maxRunningPerUser) {}

  // Throws AsyncSearchError 429 es_rejected_execution_exception when the search's owner
  // already has maxRunningPerUser searches running here.
  void add(std::shared_ptr<RunningSearch> search);
  // Without the limit: searches resumed after a restart were admitted before.
  void addResumed(std::shared_ptr<RunningSearch> search);
  std::shared_ptr<RunningSearch> find(const std::string& id) const;
  void remove(const std::string& id);
  std::vector<std::shared_ptr<RunningSearch>> all() const;
  std::size_t size() const;

 private:
  int maxRunningPerUser_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<RunningSearch>> searches_;
};

}  // namespace orrery::async_search
