// Runs plugin lifecycle calls under a deadline, so that one plugin can never stall the
// host (seed 002).
//
// Calls run one at a time on a worker thread while the caller waits. A call that
// overruns is abandoned: the caller goes on, the worker is left to finish (or hang) on
// its own, and a fresh worker takes the next call. An abandoned worker is still inside
// plugin code, so the host must never unload that plugin's library (see abandoned()).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace orrery::plugins {

struct CallOutcome {
  enum class Kind { completed, threw, timedOut } kind = Kind::completed;
  std::string error;  // what() of the exception, or a description of the overrun
  std::chrono::nanoseconds elapsed{0};
};

class DeadlineRunner {
 public:
  DeadlineRunner();
  ~DeadlineRunner();
  DeadlineRunner(const DeadlineRunner&) = delete;
  DeadlineRunner& operator=(const DeadlineRunner&) = delete;

  // Runs `call`; after `warnAfter` still running, calls `onSlow` once (from the waiting
  // thread) and keeps waiting until `deadline`.
  CallOutcome run(std::function<void()> call, std::chrono::milliseconds deadline,
                  std::chrono::milliseconds warnAfter, const std::function<void()>& onSlow);

  // How many workers were abandoned inside a call that overran.
  std::size_t abandoned() const { return abandoned_; }

  struct Worker;  // public only so the .cpp's free helpers can name it

 private:
  std::shared_ptr<Worker> worker_;
  std::size_t abandoned_ = 0;
};

}  // namespace orrery::plugins
