#include "failure_limiter.hpp"

#include <algorithm>

namespace orrery::security {

FailureLimiter::FailureLimiter(FailureLimits limits) : limits_(limits) {}

std::chrono::milliseconds FailureLimiter::recordFailure(std::string_view address, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(address));
  if (it == entries_.end()) {
    makeRoom(now);
    it = entries_.emplace(std::string(address), Entry{}).first;
  } else if (forgotten(it->second, now)) {
    it->second.failures = 0;
  }
  Entry& entry = it->second;
  // Saturate, so an endless attack cannot overflow the counter.
  if (entry.failures < limits_.threshold + 64) ++entry.failures;
  entry.lastFailure = now;

  const int over = entry.failures - limits_.threshold;
  if (over <= 0) return std::chrono::milliseconds(0);
  auto delay = limits_.initialDelay;
  for (int i = 1; i < over && delay < limits_.maxDelay; ++i) delay *= 2;
  return std::min(delay, limits_.maxDelay);
}

void FailureLimiter::recordSuccess(std::string_view address) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::string(address));
}

int FailureLimiter::failures(std::string_view address, TimePoint now) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(address));
  if (it == entries_.end() || forgotten(it->second, now)) return 0;
  return it->second.failures;
}

std::size_t FailureLimiter::trackedAddresses() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void FailureLimiter::makeRoom(TimePoint now) {
  if (entries_.size() < limits_.maxAddresses) return;
  std::erase_if(entries_, [&](const auto& item) { return forgotten(item.second, now); });
  // Only when `maxAddresses` addresses failed within `forgetAfter`: evict the stalest.
  while (!entries_.empty() && entries_.size() >= limits_.maxAddresses) {
    entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.lastFailure < b.second.lastFailure;
    }));
  }
}

}  // namespace orrery::security
