// One plugin's view of the host executors: counts the work the plugin has in flight so
// the host can drain it at stop, attributes escaping exceptions to the plugin, and keeps
// the plugin's library loaded while any of its tasks exists.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>

#include "core/executors/executor_pool.hpp"
#include "orrery/executors.hpp"

namespace orrery::executors {

class PluginExecutors final : public orrery::Executors {
 public:
  // `library` is kept alive by every task (may be null for core-owned users).
  PluginExecutors(ExecutorPool& pool, std::shared_ptr<void> library, TaskErrorHandler onError);

  void post(std::function<void()> task) override;
  void postAfter(std::chrono::milliseconds delay, std::function<void()> task) override;
  void postBlocking(std::function<void()> work) override;
  void postBlockingOn(orrery::Pool pool, std::function<void()> work) override;
  void postAfterOrCancel(std::chrono::milliseconds delay, CancellationToken token,
                         std::function<void(bool elapsed)> done) override;

  std::size_t inFlight() const;
  // Waits until no task of this plugin is queued or running, or until `deadline`.
  // Returns whether it drained.
  bool drain(std::chrono::steady_clock::time_point deadline);

 private:
  std::function<void()> track(std::function<void()> task);

  ExecutorPool& pool_;
  std::shared_ptr<void> library_;
  TaskErrorHandler onError_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t inFlight_ = 0;
};

}  // namespace orrery::executors
