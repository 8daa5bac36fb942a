// A fixed set of threads with a bounded queue: the unit that keeps one workload from
// starving the others. Work beyond the queue's capacity is refused at once (tryPost
// returns false) rather than queued without end, so a flood of one kind of request gets
// fast rejections while every other pool keeps its threads. Counts what an operator needs
// to size it: threads busy, queue depth, work completed and rejected, and how long recent
// work waited in the queue.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace orrery::executors {

struct PoolStats {
  std::string name;
  unsigned threads = 0;
  unsigned active = 0;            // threads running work now
  std::size_t queued = 0;         // work waiting for a thread
  std::size_t queueCapacity = 0;  // work that may wait beyond the idle threads
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;
  // Queue waits of the most recent work (up to kWaitWindow items), in milliseconds.
  double waitP50Ms = 0;
  double waitP99Ms = 0;
  double waitMaxMs = 0;
};

class BoundedPool {
 public:
  static constexpr std::size_t kWaitWindow = 1024;

  // `onError` gets what a task lets escape; the thread goes on.
  BoundedPool(std::string name, unsigned threads, std::size_t queueCapacity,
              std::function<void(std::exception_ptr)> onError);
  ~BoundedPool();
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  // Queues `task`, or returns false (leaving `task` untouched) when every thread is busy
  // and `queueCapacity` tasks already wait, or when the pool is stopped.
  bool tryPost(std::function<void()>& task);

  PoolStats stats() const;
  const std::string& name() const;
  std::size_t queueCapacity() const;

  // Refuses new work, lets running work finish, destroys queued work without running it
  // and joins the threads. Idempotent; also done by the destructor.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orrery::executors
