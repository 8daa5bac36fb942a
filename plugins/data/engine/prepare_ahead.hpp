// Prepares items on a helper thread while the caller consumes them, in order: the _bulk
// path parses and maps documents on one core while the other writes them to SQLite (the
// writer is one thread per shard, so without this, parsing and writing add up).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace orrery::data {

class PrepareAhead {
 public:
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

 private:
  void run();

  const std::size_t count_;
  std::function<void(std::size_t)> prepare_;
  std::function<bool(std::size_t)> barrier_;
  std::function<void()> idle_;
  std::function<void(std::size_t)> finish_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t ready_ = 0;     // items 0..ready_-1 are prepared
  std::size_t consumed_ = 0;  // items 0..consumed_-1 are finished
  bool drained_ = false;      // finish ran for every item (or the helper stopped on an error)
  bool stop_ = false;
  std::exception_ptr error_;
  std::size_t errorAt_ = 0;
  std::thread thread_;  // last: started after the state above exists
};

}  // namespace orrery::data
