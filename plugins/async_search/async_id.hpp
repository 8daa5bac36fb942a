// Async search ids: 24 random bytes (192 bits, from libsodium's CSPRNG) in URL-safe
// base64 without padding — opaque, safe in a URL path, and not guessable, so an id never
// gives access by itself (ownership is checked on every use anyway).
#pragma once

#include <string>
#include <string_view>

namespace orrery::async_search {

inline constexpr std::size_t kAsyncIdLength = 32;

std::string newAsyncId();

// Whether `id` has the form newAsyncId() produces (length and alphabet). A malformed id
// is Elasticsearch's 400 `invalid id` on get and status; a well-formed unknown one is 404.
bool wellFormedAsyncId(std::string_view id);

}  // namespace orrery::async_search
