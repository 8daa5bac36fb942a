#include "registry.hpp"

namespace orrery::async_search {

void Registry::add(std::shared_ptr<RunningSearch> search) {
  std::lock_guard lock(mutex_);
  const std::string owner = search->owner().key();
  int running = 0;
  for (const auto& [id, other] : searches_) {
    if (!other->done() && other->owner().key() == owner) ++running;
  }
  if (running >= maxRunningPerUser_) {
    throw AsyncSearchError(429, "es_rejected_execution_exception",
                           "rejected execution of async search: [" + search->owner().username + "] already has [" +
                               std::to_string(running) + "] async searches running, the most one user may run at once (async_search.maxRunningPerUser)");
  }
  searches_.emplace(search->id(), std::move(search));
}

void Registry::addResumed(std::shared_ptr<RunningSearch> search) {
  std::lock_guard lock(mutex_);
  searches_.emplace(search->id(), std::move(search));
}

std::shared_ptr<RunningSearch> Registry::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = searches_.find(id);
  return it == searches_.end() ? nullptr : it->second;
}

void Registry::remove(const std::string& id) {
  std::shared_ptr<RunningSearch> removed;  // released outside the lock
  std::lock_guard lock(mutex_);
  if (auto it = searches_.find(id); it != searches_.end()) {
    removed = std::move(it->second);
    searches_.erase(it);
  }
}

std::vector<std::shared_ptr<RunningSearch>> Registry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<RunningSearch>> out;
  out.reserve(searches_.size());
  for (const auto& [id, search] : searches_) out.push_back(search);
  return out;
}

std::size_t Registry::size() const {
  std::lock_guard lock(mutex_);
  return searches_.size();
}

}  // namespace orrery::async_search
