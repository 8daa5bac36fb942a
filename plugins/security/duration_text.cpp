#include "duration_text.hpp"

#include <charconv>
#include <cstdint>

namespace orrery::security {

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  std::int64_t amount = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc() || end == text.data() || amount <= 0) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t millisPerUnit = 0;
  if (unit == "ms") {
    millisPerUnit = 1;
  } else if (unit == "s") {
    millisPerUnit = 1000;
  } else if (unit == "m") {
    millisPerUnit = 60'000;
  } else if (unit == "h") {
    millisPerUnit = 3'600'000;
  } else if (unit == "d") {
    millisPerUnit = 86'400'000;
  } else {
    return std::nullopt;
  }
  // Beyond ~100,000 years the epoch arithmetic would overflow; no key needs that long.
  if (amount > INT64_C(3'000'000'000'000'000) / millisPerUnit) return std::nullopt;
  return std::chrono::milliseconds(amount * millisPerUnit);
}

}  // namespace orrery::security
