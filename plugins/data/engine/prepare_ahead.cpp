#include "prepare_ahead.hpp"

namespace orrery::data {

PrepareAhead::PrepareAhead(std::size_t count, std::function<void(std::size_t)> prepare,
                           std::function<bool(std::size_t)> barrier)
    : count_(count), prepare_(std::move(prepare)), barrier_(std::move(barrier)), thread_([this] { run(); }) {}

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
      }
      changed_.notify_all();
      if (error) return;
      if (barrier) changed_.wait(lock, [&] { return stop_ || consumed_ > k; });
      if (stop_) return;
    }
  }
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
