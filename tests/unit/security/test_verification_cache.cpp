// The cache of successful password verifications.
#include <doctest/doctest.h>

#include "verification_cache.hpp"

using orrery::security::VerificationCache;
using namespace std::chrono_literals;

namespace {
const VerificationCache::TimePoint t0{std::chrono::hours(1)};
}

TEST_CASE("a verified password is remembered for the TTL, for that user, password and stored hash") {
  VerificationCache cache(5min, 10);
  CHECK_FALSE(cache.contains("alice", "pw", "hash1", t0));
  cache.insert("alice", "pw", "hash1", t0);
  CHECK(cache.contains("alice", "pw", "hash1", t0 + 5min - 1ms));
  CHECK_FALSE(cache.contains("alice", "pw2", "hash1", t0));
  CHECK_FALSE(cache.contains("bob", "pw", "hash1", t0));
  // The separator keeps username and password apart.
  cache.insert("ab", "c", "h", t0);
  CHECK_FALSE(cache.contains("a", "bc", "h", t0));
  CHECK(cache.contains("alice", "pw", "hash1", t0));
  CHECK_FALSE(cache.contains("alice", "pw", "hash1", t0 + 5min));  // expired
}

TEST_CASE("a changed stored hash (new password, re-created user) misses and drops the entry") {
  VerificationCache cache(5min, 10);
  cache.insert("alice", "pw", "old", t0);
  CHECK_FALSE(cache.contains("alice", "pw", "new", t0));
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.contains("alice", "pw", "old", t0));
}

TEST_CASE("the cache is bounded: expired entries go first, then the closest to expiry") {
  VerificationCache cache(1min, 3);
  cache.insert("a", "pw", "h", t0);
  cache.insert("b", "pw", "h", t0 + 10s);
  cache.insert("c", "pw", "h", t0 + 20s);
  cache.insert("d", "pw", "h", t0 + 30s);  // full: "a" expires first and goes
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.contains("a", "pw", "h", t0 + 30s));
  CHECK(cache.contains("b", "pw", "h", t0 + 30s));
  cache.insert("e", "pw", "h", t0 + 85s);  // "b" and "c" expired meanwhile: both go
  CHECK(cache.size() == 2);
  CHECK(cache.contains("d", "pw", "h", t0 + 85s));
  CHECK(cache.contains("e", "pw", "h", t0 + 85s));
}

TEST_CASE("a TTL or capacity of zero disables the cache; clear empties it") {
  VerificationCache off(0ms, 10);
  off.insert("alice", "pw", "h", t0);
  CHECK_FALSE(off.contains("alice", "pw", "h", t0));
  VerificationCache none(1min, 0);
  none.insert("alice", "pw", "h", t0);
  CHECK_FALSE(none.contains("alice", "pw", "h", t0));
  VerificationCache cache(1min, 10);
  cache.insert("alice", "pw", "h", t0);
  cache.clear();
  CHECK_FALSE(cache.contains("alice", "pw", "h", t0));
}
