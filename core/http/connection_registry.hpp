// The server's open connections, so that draining can reach each one: ask it to close
// when idle (graceful) or at once (forced), and wait until none is left.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

namespace orrery::server {

class ConnectionRegistry {
 public:
  // `shutdown(force)` must be safe to call from any thread (it posts to the connection).
  using Shutdown = std::function<void(bool force)>;
  using Entry = std::shared_ptr<const Shutdown>;

  Entry add(Shutdown shutdown) {
    auto entry = std::make_shared<const Shutdown>(std::move(shutdown));
    std::lock_guard lock(mutex_);
    entries_.insert(entry);
    return entry;
  }
  void remove(const Entry& entry) {
    {
      std::lock_guard lock(mutex_);
      entries_.erase(entry);
    }
    changed_.notify_all();
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }
  void shutdownAll(bool force) {
    std::set<Entry> entries;
    {
      std::lock_guard lock(mutex_);
      entries = entries_;
    }
    for (const auto& entry : entries) (*entry)(force);
  }
  // True once no connection is left; false if `deadline` came first.
  bool waitEmpty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [this] { return entries_.empty(); });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<Entry> entries_;
};

}  // namespace orrery::server
