// The host's threads: one io_context served by a few I/O threads, and one bounded pool per
// workload for blocking work (orrery::Pool: search, write, storage, hashing, and the
// general `blocking` pool), each with its own queue limit, so that a flood of one kind of
// work is refused quickly instead of stalling the rest. Everything asynchronous in the
// host and its plugins runs here.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "core/executors/bounded_pool.hpp"
#include "core/executors/pool_sizes.hpp"
#include "orrery/cancellation.hpp"
#include "orrery/executors.hpp"

namespace boost::asio {
class io_context;
}

namespace orrery::executors {

// Called with the exception a task let escape; tasks never take a thread down.
using TaskErrorHandler = std::function<void(std::exception_ptr)>;

class ExecutorPool {
 public:
  ExecutorPool(unsigned ioThreads, const PoolSizes& pools, TaskErrorHandler onError);
  // Every pool with `blockingThreads` threads and a queue of 10,000 (for tests).
  ExecutorPool(unsigned ioThreads, unsigned blockingThreads, TaskErrorHandler onError);
  ~ExecutorPool();
  ExecutorPool(const ExecutorPool&) = delete;
  ExecutorPool& operator=(const ExecutorPool&) = delete;

  boost::asio::io_context& io();

  void post(std::function<void()> task);
  void postAfter(std::chrono::milliseconds delay, std::function<void()> task);
  // done(true) after `delay`, or done(false) at once when `token` is cancelled, whose
  // timer is then cancelled too; exactly once, on an I/O thread (unless stop() drops it).
  void postAfterOrCancel(std::chrono::milliseconds delay, CancellationToken token, std::function<void(bool)> done);
  // On the general pool; throws orrery::RejectedExecution when its queue is full.
  void postBlocking(std::function<void()> work);
  // On `pool`; throws orrery::RejectedExecution (naming the pool and its queue) when full.
  void postBlocking(orrery::Pool pool, std::function<void()> work);

  std::vector<PoolStats> stats() const;
  // Timers armed by postAfter/postAfterOrCancel that have not completed yet.
  std::size_t pendingTimers() const;

  // Stops the pools and joins their threads; queued work is dropped (destroyed without
  // running). Idempotent; also done by the destructor.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orrery::executors
