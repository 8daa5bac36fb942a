#include "verification_cache.hpp"

#include <algorithm>

#include "sodium_helpers.hpp"

namespace orrery::security {

VerificationCache::VerificationCache(std::chrono::milliseconds ttl, std::size_t capacity)
    : ttl_(ttl), capacity_(ttl.count() > 0 ? capacity : 0), secret_(randomBytes(32)) {}

std::string VerificationCache::keyFor(std::string_view username, std::string_view password) const {
  // Usernames cannot contain NUL, so the separator keeps ("ab","c") and ("a","bc") apart.
  std::string input;
  input.reserve(username.size() + 1 + password.size());
  input.append(username).push_back('\0');
  input.append(password);
  auto key = genericHash(input, secret_);
  wipe(input);
  return key;
}

bool VerificationCache::contains(std::string_view username, std::string_view password, std::string_view storedHash,
                                 TimePoint now) {
  if (capacity_ == 0) return false;
  const auto key = keyFor(username, password);
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (it->second.expires <= now || it->second.storedHash != storedHash) {
    entries_.erase(it);
    return false;
  }
  return true;
}

void VerificationCache::insert(std::string_view username, std::string_view password, std::string_view storedHash,
                               TimePoint now) {
  if (capacity_ == 0) return;
  auto key = keyFor(username, password);
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second = Entry{std::string(storedHash), now + ttl_};
    return;
  }
  makeRoom(now);
  entries_.emplace(std::move(key), Entry{std::string(storedHash), now + ttl_});
}

void VerificationCache::makeRoom(TimePoint now) {
  if (entries_.size() < capacity_) return;
  std::erase_if(entries_, [now](const auto& item) { return item.second.expires <= now; });
  // A linear scan, but only when the cache is full of live entries, which takes
  // `capacity` distinct successful logins within one TTL.
  while (entries_.size() >= capacity_) {
    entries_.erase(std::min_element(entries_.begin(), entries_.end(),
                                    [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; }));
  }
}

void VerificationCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

std::size_t VerificationCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace orrery::security
