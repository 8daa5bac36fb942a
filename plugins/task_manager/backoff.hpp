// When a failed attempt of a one-off task is retried: exponential backoff from 30 s,
// doubled per attempt and capped at 1 h, with up to ±10% jitter so that tasks that
// failed together do not all retry in the same instant.
#pragma once

#include <chrono>

namespace orrery::task_manager {

inline constexpr std::chrono::milliseconds kFirstRetry = std::chrono::seconds(30);
inline constexpr std::chrono::milliseconds kMaxRetry = std::chrono::hours(1);

// `attempts` is the number of attempts made so far (>= 1); `unit` in [0, 1) picks the
// jitter (random in production, fixed in tests).
std::chrono::milliseconds retryDelay(unsigned attempts, double unit);
// The same with a random jitter.
std::chrono::milliseconds retryDelay(unsigned attempts);

}  // namespace orrery::task_manager
