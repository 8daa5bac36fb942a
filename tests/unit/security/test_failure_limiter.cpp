// Slowing down repeated failed logins from one address.
#include <doctest/doctest.h>

#include "failure_limiter.hpp"

using orrery::security::FailureLimiter;
using orrery::security::FailureLimits;
using namespace std::chrono_literals;

namespace {
const FailureLimiter::TimePoint t0{std::chrono::hours(1)};
}

TEST_CASE("after the threshold each failure waits longer, doubling up to the cap") {
  FailureLimiter limiter(FailureLimits{.threshold = 3, .initialDelay = 100ms, .maxDelay = 1000ms});
  for (int i = 0; i < 3; ++i) CHECK(limiter.recordFailure("10.0.0.1", t0) == 0ms);
  CHECK(limiter.recordFailure("10.0.0.1", t0) == 100ms);
  CHECK(limiter.recordFailure("10.0.0.1", t0) == 200ms);
  CHECK(limiter.recordFailure("10.0.0.1", t0) == 400ms);
  CHECK(limiter.recordFailure("10.0.0.1", t0) == 800ms);
  CHECK(limiter.recordFailure("10.0.0.1", t0) == 1000ms);
  for (int i = 0; i < 200; ++i) limiter.recordFailure("10.0.0.1", t0);  // no overflow
  CHECK(limiter.recordFailure("10.0.0.1", t0) == 1000ms);
  // Other addresses are unaffected.
  CHECK(limiter.recordFailure("10.0.0.2", t0) == 0ms);
}

TEST_CASE("a success resets the address") {
  FailureLimiter limiter(FailureLimits{.threshold = 2});
  limiter.recordFailure("a", t0);
  limiter.recordFailure("a", t0);
  CHECK(limiter.recordFailure("a", t0) == 100ms);
  limiter.recordSuccess("a");
  CHECK(limiter.failures("a", t0) == 0);
  CHECK(limiter.recordFailure("a", t0) == 0ms);
}

TEST_CASE("an address with no failure for forgetAfter starts afresh") {
  FailureLimiter limiter(FailureLimits{.threshold = 1, .forgetAfter = 10min});
  limiter.recordFailure("a", t0);
  CHECK(limiter.recordFailure("a", t0 + 1min) == 100ms);
  CHECK(limiter.failures("a", t0 + 1min + 10min) == 0);
  CHECK(limiter.recordFailure("a", t0 + 1min + 10min) == 0ms);
}

TEST_CASE("memory is bounded: forgotten addresses go first, then the stalest") {
  FailureLimiter limiter(FailureLimits{.threshold = 1, .forgetAfter = 10min, .maxAddresses = 3});
  limiter.recordFailure("a", t0);
  limiter.recordFailure("b", t0 + 1s);
  limiter.recordFailure("c", t0 + 2s);
  limiter.recordFailure("d", t0 + 3s);  // full: "a" is the stalest
  CHECK(limiter.trackedAddresses() == 3);
  CHECK(limiter.failures("a", t0 + 3s) == 0);
  CHECK(limiter.failures("b", t0 + 3s) == 1);
  limiter.recordFailure("e", t0 + 20min);  // all forgotten by then
  CHECK(limiter.trackedAddresses() == 1);
}
