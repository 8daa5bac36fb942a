// Thin wrappers over libsodium for the few primitives the security plugin needs: random
// bytes, base64 in the two alphabets HTTP credentials and tokens use, BLAKE2b digests and
// constant-time comparison. One place initialises libsodium, so no caller can forget.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::security {

// Initialises libsodium once per process (thread-safe); throws if it cannot.
void ensureSodium();

// `count` bytes from the system's CSPRNG.
std::string randomBytes(std::size_t count);

// Standard alphabet with padding: what HTTP `Basic` and `ApiKey` credentials use.
std::string base64Encode(std::string_view bytes);
// URL-safe alphabet without padding: for ids and secrets that end up in headers and URLs.
std::string base64UrlEncode(std::string_view bytes);
// Standard alphabet, padding optional (clients differ); nullopt when not valid base64.
std::optional<std::string> base64Decode(std::string_view text);

std::string toHex(std::string_view bytes);

// BLAKE2b (crypto_generichash) of `data`, 32 bytes, keyed when `key` is not empty.
std::string genericHash(std::string_view data, std::string_view key = {});

// Compares without an early exit, so timing does not reveal where two secrets differ.
bool constantTimeEquals(std::string_view a, std::string_view b);

// Overwrites a string holding a secret before it is freed (the compiler may not elide it).
void wipe(std::string& secret);

}  // namespace orrery::security
