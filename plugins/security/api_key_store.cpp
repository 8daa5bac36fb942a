#include "api_key_store.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "atomic_file.hpp"
#include "clock.hpp"
#include "sodium_helpers.hpp"

namespace orrery::security {

namespace {

using Json = nlohmann::json;

std::string digestOf(std::string_view secret) { return toHex(genericHash(secret)); }

bool isHexDigest(const std::string& text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Reads one key object, naming the field of anything wrong.
class KeyReader {
 public:
  KeyReader(const Json& object, std::string where, std::string_view source)
      : object_(object), where_(std::move(where)), source_(source) {}

  [[noreturn]] void fail(std::string_view field, const std::string& problem) const {
    throw ApiKeyFileError(std::string(source_) + ": " + where_ + "." + std::string(field) + ": " + problem);
  }
  std::string string(const char* field) const {
    const auto it = object_.find(field);
    if (it == object_.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      fail(field, "expected a non-empty string");
    }
    return it->get<std::string>();
  }
  std::optional<std::int64_t> optionalMillis(const char* field) const {
    const auto it = object_.find(field);
    if (it == object_.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) fail(field, "expected milliseconds since the epoch");
    return it->get<std::int64_t>();
  }
  bool boolean(const char* field) const {
    const auto it = object_.find(field);
    if (it == object_.end() || !it->is_boolean()) fail(field, "expected true or false");
    return it->get<bool>();
  }

 private:
  const Json& object_;
  std::string where_;
  std::string_view source_;
};

}  // namespace

ApiKeyStore::ApiKeyStore(std::filesystem::path file, std::chrono::milliseconds retention)
    : file_(std::move(file)), retention_(retention) {}

std::string ApiKeyStore::format(const std::vector<ApiKey>& keys) {
  Json list = Json::array();
  for (const auto& key : keys) {
    Json item = {{"id", key.id},           {"name", key.name},         {"username", key.username},
                 {"hash", key.secretHash}, {"creation", key.creation}, {"invalidated", key.invalidated}};
    if (key.expiration) item["expiration"] = *key.expiration;
    if (key.invalidation) item["invalidation"] = *key.invalidation;
    list.push_back(std::move(item));
  }
  return Json{{"api_keys", std::move(list)}}.dump(2) + "\n";
}

std::vector<ApiKey> ApiKeyStore::parse(std::string_view text, std::string_view source) {
  const Json root = Json::parse(text, nullptr, false);
  if (root.is_discarded()) throw ApiKeyFileError(std::string(source) + ": is not valid JSON");
  if (!root.is_object() || !root.contains("api_keys") || !root["api_keys"].is_array()) {
    throw ApiKeyFileError(std::string(source) + ": api_keys: expected a list of API keys");
  }
  std::vector<ApiKey> keys;
  std::set<std::string, std::less<>> ids;
  const auto& list = root["api_keys"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "api_keys[" + std::to_string(i) + "]";
    if (!list[i].is_object()) throw ApiKeyFileError(std::string(source) + ": " + where + ": expected an object");
    KeyReader read(list[i], where, source);
    ApiKey key;
    key.id = read.string("id");
    if (!ids.insert(key.id).second) read.fail("id", "duplicate id '" + key.id + "'");
    key.name = read.string("name");
    key.username = read.string("username");
    key.secretHash = read.string("hash");
    if (!isHexDigest(key.secretHash)) read.fail("hash", "expected a 64-digit lowercase hex digest");
    const auto creation = read.optionalMillis("creation");
    if (!creation) read.fail("creation", "expected milliseconds since the epoch");
    key.creation = *creation;
    key.expiration = read.optionalMillis("expiration");
    key.invalidated = read.boolean("invalidated");
    key.invalidation = read.optionalMillis("invalidation");
    keys.push_back(std::move(key));
  }
  return keys;
}

void ApiKeyStore::load() {
  Keys keys;
  if (const auto text = readFileIfExists(file_)) {
    for (auto& key : parse(*text, file_.string())) keys.emplace(key.id, std::move(key));
  }
  std::lock_guard lock(mutex_);
  keys_ = std::move(keys);
}

ApiKeyStore::Keys ApiKeyStore::snapshot() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

void ApiKeyStore::commit(Keys keys, WallTime now) {
  const auto nowMs = toEpochMillis(now);
  std::erase_if(keys, [&](const auto& item) {
    const ApiKey& key = item.second;
    std::optional<std::int64_t> ended;
    if (key.invalidated) {
      ended = key.invalidation.value_or(key.creation);
    } else if (key.expiredAt(nowMs)) {
      ended = key.expiration;
    }
    return ended && *ended + retention_.count() <= nowMs;
  });
  std::vector<ApiKey> ordered;
  for (const auto& [id, key] : keys) ordered.push_back(key);
  writeFileAtomically(file_, format(ordered));
  std::lock_guard lock(mutex_);
  keys_ = std::move(keys);
}

CreatedApiKey ApiKeyStore::create(std::string_view username, std::string_view name,
                                  std::optional<std::chrono::milliseconds> lifetime, WallTime now) {
  std::lock_guard writing(writeMutex_);
  auto keys = snapshot();
  CreatedApiKey created;
  ApiKey& key = created.key;
  do {
    key.id = base64UrlEncode(randomBytes(15));  // 20 characters, as Elasticsearch's
  } while (keys.count(key.id));
  created.secret = base64UrlEncode(randomBytes(32));
  created.encoded = base64Encode(key.id + ":" + created.secret);
  key.name = name;
  key.username = username;
  key.secretHash = digestOf(created.secret);
  key.creation = toEpochMillis(now);
  if (lifetime) key.expiration = key.creation + lifetime->count();
  keys.emplace(key.id, key);
  commit(std::move(keys), now);
  return created;
}

ApiKeyCheck ApiKeyStore::check(std::string_view id, std::string_view secret, WallTime now) const {
  std::optional<ApiKey> key = find(id);
  if (!key) return {ApiKeyCheck::Outcome::unknown, std::nullopt};
  if (!constantTimeEquals(digestOf(secret), key->secretHash)) return {ApiKeyCheck::Outcome::wrongSecret, std::nullopt};
  // Only a caller holding the secret learns whether the key expired or was invalidated.
  auto outcome = key->invalidated                     ? ApiKeyCheck::Outcome::invalidated
                 : key->expiredAt(toEpochMillis(now)) ? ApiKeyCheck::Outcome::expired
                                                      : ApiKeyCheck::Outcome::valid;
  return {outcome, std::move(key)};
}

std::vector<ApiKey> ApiKeyStore::list(std::string_view username) const {
  std::vector<ApiKey> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, key] : keys_) {
      if (username.empty() || key.username == username) out.push_back(key);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ApiKey& a, const ApiKey& b) { return a.creation < b.creation; });
  return out;
}

std::optional<ApiKey> ApiKeyStore::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = keys_.find(id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

InvalidationResult ApiKeyStore::invalidate(const std::vector<std::string>& ids, std::string_view requester,
                                           bool anyOwner, WallTime now) {
  std::lock_guard writing(writeMutex_);
  auto keys = snapshot();
  InvalidationResult result;
  std::set<std::string, std::less<>> done;
  for (const auto& id : ids) {
    if (!done.insert(id).second) continue;
    const auto it = keys.find(id);
    if (it == keys.end() || (!anyOwner && it->second.username != requester)) {
      result.errors.emplace_back(id, "no API key with id [" + id + "]");
    } else if (it->second.invalidated) {
      result.previouslyInvalidated.push_back(id);
    } else {
      it->second.invalidated = true;
      it->second.invalidation = toEpochMillis(now);
      result.invalidated.push_back(id);
    }
  }
  if (!result.invalidated.empty()) commit(std::move(keys), now);
  return result;
}

}  // namespace orrery::security
