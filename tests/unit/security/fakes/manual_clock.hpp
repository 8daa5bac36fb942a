// A clock that moves only when a test says so.
#pragma once

#include <chrono>

#include "clock.hpp"

namespace orrery::security::test {

class ManualClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point steadyNow() const override { return steady_; }
  std::chrono::system_clock::time_point wallNow() const override { return wall_; }
  void advance(std::chrono::milliseconds by) {
    steady_ += by;
    wall_ += by;
  }

 private:
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall_{std::chrono::milliseconds(1'700'000'000'000)};
};

}  // namespace orrery::security::test
