#include "core/executors/plugin_executors.hpp"

#include <utility>

namespace orrery::executors {

namespace {

// Holds a plugin-made task and the plugin's library. Members are destroyed in reverse
// order, so the task (whose code lives in the library) goes before the library.
struct TrackedTask {
  std::shared_ptr<void> library;
  std::function<void()> task;
};

// Decrements the in-flight count when a task is destroyed, run or not (a pool that is
// stopped drops queued tasks without running them).
class InFlightTicket {
 public:
  InFlightTicket(std::mutex& mutex, std::condition_variable& idle, std::size_t& count)
      : mutex_(mutex), idle_(idle), count_(count) {}
  ~InFlightTicket() {
    std::lock_guard lock(mutex_);
    if (--count_ == 0) idle_.notify_all();
  }
  InFlightTicket(const InFlightTicket&) = delete;
  InFlightTicket& operator=(const InFlightTicket&) = delete;

 private:
  std::mutex& mutex_;
  std::condition_variable& idle_;
  std::size_t& count_;
};

}  // namespace

PluginExecutors::PluginExecutors(ExecutorPool& pool, std::shared_ptr<void> library, TaskErrorHandler onError)
    : pool_(pool), library_(std::move(library)), onError_(std::move(onError)) {}

std::function<void()> PluginExecutors::track(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    ++inFlight_;
  }
  auto ticket = std::make_shared<InFlightTicket>(mutex_, idle_, inFlight_);
  auto held = std::make_shared<TrackedTask>(TrackedTask{library_, std::move(task)});
  return [this, ticket = std::move(ticket), held = std::move(held)]() mutable {
    try {
      held->task();
    } catch (...) {
      if (onError_) onError_(std::current_exception());
    }
    // Release the task (and its captures) before the ticket reports the task finished.
    held.reset();
    ticket.reset();
  };
}

void PluginExecutors::post(std::function<void()> task) { pool_.post(track(std::move(task))); }

void PluginExecutors::postAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  pool_.postAfter(delay, track(std::move(task)));
}

void PluginExecutors::postBlocking(std::function<void()> work) { pool_.postBlocking(track(std::move(work))); }

// A refused task is destroyed in the throw, which releases its in-flight ticket.
void PluginExecutors::postBlockingOn(orrery::Pool pool, std::function<void()> work) {
  pool_.postBlocking(pool, track(std::move(work)));
}

void PluginExecutors::postAfterOrCancel(std::chrono::milliseconds delay, CancellationToken token,
                                        std::function<void(bool elapsed)> done) {
  // Counted as one task: the ticket goes when `done` has run (or the pool dropped it).
  auto result = std::make_shared<bool>(false);
  auto tracked = std::make_shared<std::function<void()>>(track([done = std::move(done), result] { done(*result); }));
  pool_.postAfterOrCancel(delay, std::move(token), [tracked, result](bool elapsed) {
    *result = elapsed;
    (*tracked)();
  });
}

std::size_t PluginExecutors::inFlight() const {
  std::lock_guard lock(mutex_);
  return inFlight_;
}

bool PluginExecutors::drain(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_until(lock, deadline, [this] { return inFlight_ == 0; });
}

}  // namespace orrery::executors
