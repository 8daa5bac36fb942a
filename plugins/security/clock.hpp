// The two clocks the security logic reads: a steady one for caches, delays and reload
// throttling, and the wall clock for API key creation and expiry (which are persisted and
// shown to users). An interface, so tests move time by hand instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace orrery::security {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point steadyNow() const = 0;
  virtual std::chrono::system_clock::time_point wallNow() const = 0;

  // The real clocks.
  static const Clock& system();
};

// Milliseconds since the Unix epoch: how API key times are stored and returned.
inline std::int64_t toEpochMillis(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace orrery::security
