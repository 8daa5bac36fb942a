#include "backoff.hpp"

#include <algorithm>
#include <random>

namespace orrery::task_manager {

std::chrono::milliseconds retryDelay(unsigned attempts, double unit) {
  const unsigned doublings = std::min(attempts == 0 ? 0u : attempts - 1, 20u);
  auto base = std::min(kFirstRetry * (std::int64_t{1} << doublings), kMaxRetry);
  // Jitter within ±10%, then held inside the bounds [30 s, 1 h].
  const double factor = 0.9 + 0.2 * std::clamp(unit, 0.0, 1.0);
  const auto jittered = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor));
  return std::clamp(jittered, kFirstRetry, kMaxRetry);
}

std::chrono::milliseconds retryDelay(unsigned attempts) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return retryDelay(attempts, std::uniform_real_distribution<double>(0.0, 1.0)(engine));
}

}  // namespace orrery::task_manager
