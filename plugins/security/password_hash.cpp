#include "password_hash.hpp"

#include <sodium.h>

#include <new>

#include "sodium_helpers.hpp"

namespace orrery::security {

std::string hashPassword(std::string_view password) {
  ensureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::bad_alloc();  // libsodium's only failure here: it could not get the memory
  }
  return out;
}

bool verifyPassword(std::string_view encodedHash, std::string_view password) {
  ensureSodium();
  if (!looksLikeArgon2idHash(encodedHash)) return false;
  const std::string hash(encodedHash);  // crypto_pwhash_str_verify wants a C string
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool verifyAgainstNothing(std::string_view password) {
  // Hashed once, lazily, on the first unknown user: a blocking-pool thread pays for it.
  static const std::string decoy = hashPassword(randomBytes(16));
  verifyPassword(decoy, password);
  return false;
}

bool looksLikeArgon2idHash(std::string_view text) {
  static constexpr std::string_view prefix = crypto_pwhash_argon2id_STRPREFIX;
  return text.size() < crypto_pwhash_STRBYTES && text.substr(0, prefix.size()) == prefix &&
         text.find('\0') == std::string_view::npos;
}

}  // namespace orrery::security
