// Remembers recent successful password verifications, so a client sending Basic
// credentials with every request pays the argon2id cost once per TTL, not per request.
//
// Entries are keyed by a keyed BLAKE2b digest of username and password under a random
// per-process key: the cache never holds a password, and its keys are useless outside
// this process. Each entry also records the stored hash it was verified against, so a
// changed password (or a re-created user) misses at once, without waiting for the TTL.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace orrery::security {

class VerificationCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // A TTL of zero or a capacity of zero disables caching.
  VerificationCache(std::chrono::milliseconds ttl, std::size_t capacity);

  // Whether `password` was verified for `username` against `storedHash` within the TTL.
  bool contains(std::string_view username, std::string_view password, std::string_view storedHash, TimePoint now);
  // Records a successful verification. When full, expired entries go first, then the one
  // closest to expiry.
  void insert(std::string_view username, std::string_view password, std::string_view storedHash, TimePoint now);
  void clear();
  std::size_t size() const;

 private:
  struct Entry {
    std::string storedHash;
    TimePoint expires;
  };

  std::string keyFor(std::string_view username, std::string_view password) const;
  void makeRoom(TimePoint now);

  const std::chrono::milliseconds ttl_;
  const std::size_t capacity_;
  const std::string secret_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace orrery::security
