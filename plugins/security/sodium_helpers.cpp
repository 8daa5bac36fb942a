#include "sodium_helpers.hpp"

#include <sodium.h>

#include <stdexcept>

namespace orrery::security {

void ensureSodium() {
  // sodium_init is itself safe to call repeatedly; the static makes the check free after
  // the first call and turns a failure into an exception at every call.
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium could not be initialised");
}

std::string randomBytes(std::size_t count) {
  ensureSodium();
  std::string out(count, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

namespace {

std::string encode(std::string_view bytes, int variant) {
  ensureSodium();
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

std::optional<std::string> decode(std::string_view text, int variant) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace

std::string base64Encode(std::string_view bytes) { return encode(bytes, sodium_base64_VARIANT_ORIGINAL); }

std::string base64UrlEncode(std::string_view bytes) { return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }

std::optional<std::string> base64Decode(std::string_view text) {
  ensureSodium();
  if (text.empty()) return std::string();
  if (text.size() % 4 == 0) return decode(text, sodium_base64_VARIANT_ORIGINAL);
  return decode(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

std::string toHex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::string genericHash(std::string_view data, std::string_view key) {
  ensureSodium();
  if (!key.empty() && (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX)) {
    throw std::invalid_argument("genericHash: key length out of range");
  }
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // The lengths of the values compared here (digests, hex digests) are public.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
}

}  // namespace orrery::security
