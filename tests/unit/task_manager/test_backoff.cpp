// Retry delays: first after about 30 s, doubling, capped at 1 h, jitter within bounds.
#include <doctest/doctest.h>

#include <set>

#include "backoff.hpp"

using namespace orrery::task_manager;
using namespace std::chrono_literals;

TEST_CASE("backoff: 30 s first, doubling, never below 30 s or above 1 h") {
  CHECK(retryDelay(1, 0.0) == 30s);  // -10% is held at the 30 s floor
  CHECK(retryDelay(1, 1.0) == 33s);
  CHECK(retryDelay(2, 0.5) == 60s);
  CHECK(retryDelay(2, 0.0) == 54s);
  CHECK(retryDelay(3, 0.5) == 120s);
  CHECK(retryDelay(7, 0.5) == 1920s);
  CHECK(retryDelay(8, 0.5) == 1h);  // 3840 s capped
  CHECK(retryDelay(8, 0.0) == 3240s);
  CHECK(retryDelay(1000, 1.0) == 1h);
  for (unsigned attempts = 1; attempts < 40; ++attempts) {
    for (int i = 0; i < 20; ++i) {
      const auto delay = retryDelay(attempts);
      CHECK(delay >= 30s);
      CHECK(delay <= 1h);
    }
  }
}

TEST_CASE("backoff: jitter spreads retries that failed together") {
  std::set<long> seen;
  for (int i = 0; i < 50; ++i) seen.insert(static_cast<long>(retryDelay(4).count()));
  CHECK(seen.size() > 10);
}
