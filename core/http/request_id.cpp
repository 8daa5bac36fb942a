#include "core/http/request_id.hpp"

#include <cstdint>
#include <random>

namespace orrery::server {

namespace {

bool acceptable(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A random (version 4) UUID. Ids only need to be unique, not secret: a per-thread PRNG
// seeded from the OS is enough and costs no system call per request.
std::string randomId() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  const std::uint64_t high = (engine() & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  const std::uint64_t low = (engine() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    const std::uint64_t word = i < 16 ? high : low;
    out += kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return out;
}

}  // namespace

std::string requestIdFor(std::optional<std::string_view> clientId) {
  if (clientId && acceptable(*clientId)) return std::string(*clientId);
  return randomId();
}

}  // namespace orrery::server
