#include "prepare_ahead.hpp"

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
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void PrepareAhead::run() {
  for (std::size_t k = 0; k < count_; ++k) {
    const bool barrier = barrier_(k);
    std::exception_ptr error;
    if (!barrier) {
      {
        std::lock_guard lock(mutex_);
        if (stop_) return;
      }
      try {
        prepare_(k);
      } catch (...) {
        error = std::current_exception();
      }
    }
    {
      std::unique_lock lock(mutex_);
      ready_ = k + 1;
      if (error) {
        error_ = error;
        errorAt_ = k;
        drained_ = true;
      }
      changed_.notify_all();
      if (error) return;
      if (barrier) changed_.wait(lock, [&] { return stop_ || consumed_ > k; });
      if (stop_) return;
    }
  }
  if (idle_) {
    try {
      idle_();
    } catch (...) {
      // Only an optimisation (a checkpoint): the writer does it itself when needed.
    }
  }
  for (std::size_t k = 0; finish_ && k < count_; ++k) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || consumed_ > k; });
      if (stop_) return;
    }
    try {
      finish_(k);
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      errorAt_ = count_;
      drained_ = true;
      changed_.notify_all();
      return;
    }
  }
  std::lock_guard lock(mutex_);
  drained_ = true;
  changed_.notify_all();
}

void PrepareAhead::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return drained_; });
  if (error_) std::rethrow_exception(error_);
}

void PrepareAhead::waitReady(std::size_t k) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return ready_ > k; });
  if (error_ && errorAt_ == k) std::rethrow_exception(error_);
}

void PrepareAhead::consumed(std::size_t k) {
  {
    std::lock_guard lock(mutex_);
    consumed_ = k + 1;
  }
  changed_.notify_all();
}

}  // namespace orrery::data
