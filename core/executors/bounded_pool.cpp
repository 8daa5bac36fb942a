#include "core/executors/bounded_pool.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace orrery::executors {

namespace {

using Clock = std::chrono::steady_clock;

struct Queued {
  std::function<void()> task;
  Clock::time_point since;
};

// The value of the nearest rank. nth_element, not a sort: /api/status asks every pool on
// each call, and sorting 1,024 waits per pool per call showed in its requests/s.
double percentile(std::vector<double>& values, double fraction) {
  if (values.empty()) return 0;
  const auto rank = std::min(static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5),
                             values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return values[rank];
}

}  // namespace

struct BoundedPool::Impl {
  std::string name;
  std::size_t capacity;
  std::function<void(std::exception_ptr)> onError;
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<Queued> queue;
  std::vector<std::thread> threads;
  unsigned threadCount = 0;
  unsigned active = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;
  bool stopping = false;
  // The last kWaitWindow queue waits, in milliseconds, as a ring.
  std::array<double, kWaitWindow> waits{};
  std::size_t waitCount = 0;

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (stopping) return;
      auto next = std::move(queue.front());
      queue.pop_front();
      waits[waitCount++ % kWaitWindow] = std::chrono::duration<double, std::milli>(Clock::now() - next.since).count();
      ++active;
      lock.unlock();
      try {
        next.task();
      } catch (...) {
        if (onError) onError(std::current_exception());
      }
      // Destroyed outside the lock: its captures may do anything when they go.
      next.task = nullptr;
      lock.lock();
      --active;
      ++completed;
    }
  }
};

BoundedPool::BoundedPool(std::string name, unsigned threads, std::size_t queueCapacity,
                         std::function<void(std::exception_ptr)> onError)
    : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(name);
  impl_->capacity = queueCapacity;
  impl_->onError = std::move(onError);
  impl_->threadCount = std::max(1u, threads);
  for (unsigned i = 0; i < impl_->threadCount; ++i) impl_->threads.emplace_back([this] { impl_->run(); });
}

BoundedPool::~BoundedPool() { stop(); }

bool BoundedPool::tryPost(std::function<void()>& task) {
  {
    std::lock_guard lock(impl_->mutex);
    // Idle threads take work at once: only work beyond them waits, and the capacity
    // bounds that.
    const std::size_t idle = impl_->threadCount - impl_->active;
    if (impl_->stopping || impl_->queue.size() >= impl_->capacity + idle) {
      ++impl_->rejected;
      return false;
    }
    impl_->queue.push_back({std::move(task), Clock::now()});
  }
  impl_->wake.notify_one();
  return true;
}

PoolStats BoundedPool::stats() const {
  PoolStats stats;
  std::vector<double> recent;
  {
    std::lock_guard lock(impl_->mutex);
    stats.name = impl_->name;
    stats.threads = impl_->threadCount;
    stats.active = impl_->active;
    const std::size_t idle = impl_->threadCount - impl_->active;
    // Work an idle thread is about to take is not waiting.
    stats.queued = impl_->queue.size() > idle ? impl_->queue.size() - idle : 0;
    stats.queueCapacity = impl_->capacity;
    stats.completed = impl_->completed;
    stats.rejected = impl_->rejected;
    const auto count = std::min(impl_->waitCount, kWaitWindow);
    recent.assign(impl_->waits.begin(), impl_->waits.begin() + static_cast<std::ptrdiff_t>(count));
  }
  stats.waitMaxMs = recent.empty() ? 0 : *std::max_element(recent.begin(), recent.end());
  stats.waitP99Ms = percentile(recent, 0.99);
  stats.waitP50Ms = percentile(recent, 0.50);
  return stats;
}

const std::string& BoundedPool::name() const { return impl_->name; }
std::size_t BoundedPool::queueCapacity() const { return impl_->capacity; }

void BoundedPool::stop() {
  std::deque<Queued> dropped;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping && impl_->threads.empty()) return;
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  for (auto& thread : impl_->threads) {
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();  // stopped by its own task: it returns once that task ends
    } else if (thread.joinable()) {
      thread.join();
    }
  }
  impl_->threads.clear();
  {
    std::lock_guard lock(impl_->mutex);
    dropped.swap(impl_->queue);
  }
  // Destroyed outside the lock: a task's captures may post (and be refused) as they go.
}

}  // namespace orrery::executors
