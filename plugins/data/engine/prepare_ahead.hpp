// Prepares items on a helper thread while the caller consumes them, in order: the _bulk
// path parses and maps documents on one core while the other writes them to SQLite (the
// writer is one thread per shard, so without this, parsing and writing add up).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace orrery::data {

class PrepareAhead {
 public:
  // A thread that waits for the other to get ahead is woken when it is this many items
  // ahead (or has to stop), not after every item: a wake-up is a futex call and a context
  // switch, which cost as much as preparing a small document (a quarter of the writer's
  // time in tools/bench/search when it was woken per item).
  static constexpr std::size_t kWakeBatch = 64;

  // Runs prepare(k) for k = 0..count-1 on a helper thread. An item for which
  // `barrier(k)` holds is not prepared ahead: the helper waits until the consumer has
  // finished it (it reads what earlier items wrote) before preparing k+1. Once all are
  // prepared, the helper runs `idle()` once, then `finish(k)` (when given) for each item
  // the consumer has finished, in order: other work off the consumer's thread.
  PrepareAhead(std::size_t count, std::function<void(std::size_t)> prepare, std::function<bool(std::size_t)> barrier,
               std::function<void()> idle = {}, std::function<void(std::size_t)> finish = {});
  // Stops the helper (items not yet prepared are left) and joins it.
  ~PrepareAhead();
  PrepareAhead(const PrepareAhead&) = delete;
  PrepareAhead& operator=(const PrepareAhead&) = delete;

  // Blocks until item k is prepared; rethrows what prepare threw for it.
  void waitReady(std::size_t k);
  // The consumer finished item k.
  void consumed(std::size_t k);
  // Blocks until finish has run for every item (after all were consumed); rethrows what
  // finish threw.
  void drain();
  // Wake-ups sent to a sleeping helper or consumer so far (for tests: one per batch).
  std::size_t wakeups() const { return wakeups_.load(); }

 private:
  void run();
  // The helper publishes that items 0..n-1 are ready; `urgent` wakes a waiting consumer
  // even before a batch is ready (the helper is about to wait, or is done).
  void publishReady(std::size_t n, bool urgent);
  // The helper waits until the consumer has finished items 0..n-1 (or stop); false on stop.
  bool waitConsumed(std::size_t n);

  const std::size_t count_;
  std::function<void(std::size_t)> prepare_;
  std::function<bool(std::size_t)> barrier_;
  std::function<void()> idle_;
  std::function<void(std::size_t)> finish_;
  // Progress is published through atomics; the mutex and condition variables are used
  // only by a thread that goes to sleep and by the one that wakes it. A sleeper first
  // announces what it waits for (…Wants_, 0 when awake), then checks again: with the
  // other side's store-then-load, one of the two sees the other (no lost wake-up).
  std::mutex mutex_;
  std::condition_variable readyChanged_;     // the consumer sleeps here
  std::condition_variable consumedChanged_;  // the helper sleeps here
  std::atomic<std::size_t> ready_{0};          // items 0..ready_-1 are prepared
  std::atomic<std::size_t> consumed_{0};       // items 0..consumed_-1 are finished
  std::atomic<std::size_t> consumerWants_{0};  // a sleeping consumer waits for ready_ >= this
  std::atomic<std::size_t> helperWants_{0};    // a sleeping helper waits for consumed_ >= this
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> wakeups_{0};
  bool drained_ = false;  // finish ran for every item, or the helper stopped on an error (under mutex_)
  std::exception_ptr prepareError_;  // written before the ready_ that reports it
  std::size_t errorAt_ = 0;          // the item prepareError_ is for
  std::exception_ptr finishError_;   // under mutex_
  std::thread thread_;  // last: started after the state above exists
};

}  // namespace orrery::data
