#include "async_id.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace orrery::async_search {

std::string newAsyncId() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, 24> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, kAsyncIdLength + 1> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(text.data(), kAsyncIdLength);
}

bool wellFormedAsyncId(std::string_view id) {
  if (id.size() != kAsyncIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace orrery::async_search
