// API keys: long random secrets a user creates for programs, sent as
// `Authorization: ApiKey base64(id:api_key)` (the Elasticsearch form).
//
// Only a digest of each secret is kept (BLAKE2b of 32 random bytes: with that much
// entropy a fast hash is as safe as a slow one, and authentication stays cheap), in
// `api_keys.json`, rewritten atomically on every change. Reads are in memory and cheap;
// create() and invalidate() write the file and so belong on the blocking pool.
// Invalidated and expired keys are kept for `retention` (so their owners still see them
// listed), then dropped at the next write.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::security {

struct ApiKey {
  std::string id;
  std::string name;
  std::string username;       // the owner; the key acts as this user, with their current roles
  std::string secretHash;     // hex BLAKE2b-256 of the secret
  std::int64_t creation = 0;  // milliseconds since the epoch, like Elasticsearch
  std::optional<std::int64_t> expiration;
  bool invalidated = false;
  std::optional<std::int64_t> invalidation;

  bool expiredAt(std::int64_t nowMs) const { return expiration && *expiration <= nowMs; }
  bool operator==(const ApiKey&) const = default;
};

// What create() hands back once: the secret is not stored and cannot be shown again.
struct CreatedApiKey {
  ApiKey key;
  std::string secret;
  std::string encoded;  // base64(id:secret), ready for the Authorization header
};

struct ApiKeyCheck {
  enum class Outcome { valid, unknown, wrongSecret, expired, invalidated };
  Outcome outcome = Outcome::unknown;
  std::optional<ApiKey> key;  // set when the secret matched
};

struct InvalidationResult {
  std::vector<std::string> invalidated;
  std::vector<std::string> previouslyInvalidated;
  std::vector<std::pair<std::string, std::string>> errors;  // id, reason
};

// An api_keys.json that cannot be used; the message names the file and the field.
class ApiKeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ApiKeyStore {
 public:
  using WallTime = std::chrono::system_clock::time_point;

  ApiKeyStore(std::filesystem::path file, std::chrono::milliseconds retention);

  // Reads the file (a missing one means no keys). Throws ApiKeyFileError if it is broken:
  // starting without the keys would make the next write lose them.
  void load();

  // A new key for `username`; `lifetime` absent means it never expires. Writes the file.
  CreatedApiKey create(std::string_view username, std::string_view name,
                       std::optional<std::chrono::milliseconds> lifetime, WallTime now);
  ApiKeyCheck check(std::string_view id, std::string_view secret, WallTime now) const;
  // `username`'s keys, oldest first; with an empty username, everybody's.
  std::vector<ApiKey> list(std::string_view username) const;
  std::optional<ApiKey> find(std::string_view id) const;
  // Invalidates the keys among `ids` owned by `requester` (any owner's when `anyOwner`);
  // other ids are errors, reported as not found so nobody learns which ids exist. Writes
  // the file when something changed.
  InvalidationResult invalidate(const std::vector<std::string>& ids, std::string_view requester, bool anyOwner,
                                WallTime now);

  const std::filesystem::path& file() const { return file_; }

  // The file's JSON text for `keys`, and back; exposed for tests.
  static std::string format(const std::vector<ApiKey>& keys);
  static std::vector<ApiKey> parse(std::string_view text, std::string_view source);

 private:
  using Keys = std::map<std::string, ApiKey, std::less<>>;

  // Drops keys past retention, writes `keys` and only then makes them current, so a
  // failed write changes nothing. Caller holds writeMutex_.
  void commit(Keys keys, WallTime now);
  Keys snapshot() const;

  const std::filesystem::path file_;
  const std::chrono::milliseconds retention_;
  // Writers queue here (on the blocking pool) while readers only ever take mutex_ for a
  // moment, so an I/O thread checking a key never waits for a disk write.
  std::mutex writeMutex_;
  mutable std::mutex mutex_;
  Keys keys_;
};

}  // namespace orrery::security
