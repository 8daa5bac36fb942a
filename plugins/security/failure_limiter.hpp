// Slows down password guessing from one address: after `threshold` consecutive failed
// logins, each further failure is answered only after a delay that doubles from
// `initialDelay` up to `maxDelay`. A success from the address resets it; an address with
// no failure for `forgetAfter` starts afresh. Memory stays bounded: at most `maxAddresses`
// are tracked, dropping the stalest first.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace orrery::security {

struct FailureLimits {
  int threshold = 5;
  std::chrono::milliseconds initialDelay{100};
  std::chrono::milliseconds maxDelay{5000};
  std::chrono::milliseconds forgetAfter{15 * 60 * 1000};
  std::size_t maxAddresses = 10000;
};

class FailureLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit FailureLimiter(FailureLimits limits);

  // Counts a failure from `address` and returns how long to wait before answering it.
  std::chrono::milliseconds recordFailure(std::string_view address, TimePoint now);
  void recordSuccess(std::string_view address);
  // Consecutive failures counted for `address` (0 when untracked or forgotten).
  int failures(std::string_view address, TimePoint now) const;
  std::size_t trackedAddresses() const;

 private:
  struct Entry {
    int failures = 0;
    TimePoint lastFailure;
  };

  bool forgotten(const Entry& entry, TimePoint now) const { return now - entry.lastFailure >= limits_.forgetAfter; }
  void makeRoom(TimePoint now);

  const FailureLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace orrery::security
