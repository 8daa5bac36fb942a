#include "clock.hpp"

namespace orrery::security {

namespace {
class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point steadyNow() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wallNow() const override { return std::chrono::system_clock::now(); }
};
}  // namespace

const Clock& Clock::system() {
  static const SystemClock clock;
  return clock;
}

}  // namespace orrery::security
