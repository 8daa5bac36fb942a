// A gate test tasks wait at, to hold a pool's thread busy for as long as a test needs;
// always opened by the destructor at the latest, so no thread is left waiting.
#pragma once

#include <atomic>
#include <chrono>
#include <future>

namespace orrery::test {

class Gate {
 public:
  static constexpr auto kWait = std::chrono::seconds(10);  // never reached when the code is right

  Gate() : future_(promise_.get_future().share()) {}
  ~Gate() { open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  void open() {
    if (!opened_.exchange(true)) promise_.set_value();
  }
  void wait() const { future_.wait_for(kWait); }
  // For a task that may outlive the gate: its own copy to wait on.
  std::shared_future<void> opened() const { return future_; }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_;
  std::atomic<bool> opened_{false};
};

}  // namespace orrery::test
