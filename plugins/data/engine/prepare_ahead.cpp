#include "prepare_ahead.hpp"

#include <algorithm>

namespace orrery::data {

PrepareAhead::PrepareAhead(std::size_t count, std::function<void(std::size_t)> prepare,
                           std::function<bool(std::size_t)> barrier, std::function<void()> idle,
                           std::function<void(std::size_t)> finish)
    : count_(count),
      prepare_(std::move(prepare)),
      barrier_(std::move(barrier)),
      idle_(std::move(idle)),
      finish_(std::move(finish)),
      thread_([this] { run(); }) {}

PrepareAhead::~PrepareAhead() {
  stop_.store(true);
  {
    // Taken so that a thread between its check of stop_ and its wait is in the wait.
    std::lock_guard lock(mutex_);
  }
  consumedChanged_.notify_all();
  readyChanged_.notify_all();
  thread_.join();
}

void PrepareAhead::run() {
  for (std::size_t k = 0; k < count_; ++k) {
    if (stop_.load()) return;
    const bool barrier = barrier_(k);
    if (!barrier) {
      try {
        prepare_(k);
      } catch (...) {
        std::lock_guard lock(mutex_);
        prepareError_ = std::current_exception();
        errorAt_ = k;
        drained_ = true;
        ready_.store(k + 1);
        readyChanged_.notify_all();
        return;
      }
    }
    publishReady(k + 1, barrier || k + 1 == count_);
    if (barrier && !waitConsumed(k + 1)) return;
  }
  if (idle_) {
    try {
      idle_();
    } catch (...) {
      // Only an optimisation (a checkpoint): the writer does it itself when needed.
    }
  }
  for (std::size_t k = 0; finish_ && k < count_; ++k) {
    if (consumed_.load() <= k && !waitConsumed(std::min(count_, k + kWakeBatch))) return;
    try {
      finish_(k);
    } catch (...) {
      std::lock_guard lock(mutex_);
      finishError_ = std::current_exception();
      drained_ = true;
      readyChanged_.notify_all();
      return;
    }
  }
  std::lock_guard lock(mutex_);
  drained_ = true;
  readyChanged_.notify_all();
}

void PrepareAhead::publishReady(std::size_t n, bool urgent) {
  ready_.store(n);
  // The waker clears the announcement, so that it wakes the sleeper once, not again for
  // every item it publishes until the sleeper has run.
  std::size_t wants = consumerWants_.load();
  if (wants != 0 && (urgent || n + 1 >= wants + kWakeBatch) && consumerWants_.compare_exchange_strong(wants, 0)) {
    std::lock_guard lock(mutex_);
    wakeups_.fetch_add(1);
    readyChanged_.notify_all();
  }
}

bool PrepareAhead::waitConsumed(std::size_t n) {
  if (consumed_.load() < n) {
    std::unique_lock lock(mutex_);
    helperWants_.store(n);
    consumedChanged_.wait(lock, [&] { return stop_.load() || consumed_.load() >= n; });
    helperWants_.store(0);
  }
  return !stop_.load();
}

void PrepareAhead::waitReady(std::size_t k) {
  if (ready_.load() <= k) {
    std::unique_lock lock(mutex_);
    consumerWants_.store(k + 1);
    readyChanged_.wait(lock, [&] { return ready_.load() > k; });
    consumerWants_.store(0);
  }
  // Written before the ready_ that reported it, read after it: no lock needed.
  if (prepareError_ && errorAt_ == k) std::rethrow_exception(prepareError_);
}

void PrepareAhead::consumed(std::size_t k) {
  consumed_.store(k + 1);
  std::size_t wants = helperWants_.load();
  if (wants != 0 && k + 1 >= wants && helperWants_.compare_exchange_strong(wants, 0)) {
    std::lock_guard lock(mutex_);
    wakeups_.fetch_add(1);
    consumedChanged_.notify_all();
  }
}

void PrepareAhead::drain() {
  std::unique_lock lock(mutex_);
  readyChanged_.wait(lock, [&] { return drained_; });
  if (prepareError_) std::rethrow_exception(prepareError_);
  if (finishError_) std::rethrow_exception(finishError_);
}

}  // namespace orrery::data
