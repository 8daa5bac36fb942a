// Executors for unit tests that run everything on the calling thread: posted work is
// queued and run by runAll(), so a coroutine is resumed after its await_suspend has
// returned, as with the host's threads, but deterministically. Delays are recorded, not
// waited for, and blocking work is counted, so tests assert what would have been slept
// and what went to the blocking pool.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <orrery/executors.hpp>
#include <vector>

namespace orrery::security::test {

class InlineExecutors final : public Executors {
 public:
  void post(std::function<void()> task) override { queue_.push_back(std::move(task)); }
  void postAfter(std::chrono::milliseconds delay, std::function<void()> task) override {
    delays.push_back(delay);
    queue_.push_back(std::move(task));
  }
  void postBlocking(std::function<void()> work) override {
    ++blockingCalls;
    queue_.push_back(std::move(work));
  }

  // Runs queued work, including what it queues, until nothing is left.
  void runAll() {
    while (!queue_.empty()) {
      auto task = std::move(queue_.front());
      queue_.pop_front();
      task();
    }
  }

  std::vector<std::chrono::milliseconds> delays;
  int blockingCalls = 0;

 private:
  std::deque<std::function<void()>> queue_;
};

}  // namespace orrery::security::test
