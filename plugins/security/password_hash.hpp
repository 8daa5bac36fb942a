// Password hashing with argon2id (libsodium's crypto_pwhash_str), at the "interactive"
// cost: about 100 ms and 64 MiB per call. That cost is the point — it makes guessing
// expensive — so callers on an I/O thread must move these calls to the blocking pool.
#pragma once

#include <string>
#include <string_view>

namespace orrery::security {

// An encoded argon2id hash ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") with a fresh
// random salt. Throws if libsodium runs out of memory.
std::string hashPassword(std::string_view password);

// Whether `password` matches `encodedHash`; false for anything that is not a valid hash.
bool verifyPassword(std::string_view encodedHash, std::string_view password);

// Spends the same time as a real verification and returns false: used for unknown users,
// so response times do not tell which usernames exist.
bool verifyAgainstNothing(std::string_view password);

// Whether `text` has the form of an argon2id hash this build can verify.
bool looksLikeArgon2idHash(std::string_view text);

}  // namespace orrery::security
