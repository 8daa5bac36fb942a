#include "time_value.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <orrery/async_search/async_search.hpp>
#include <utility>

namespace orrery::async_search {
namespace {

// Units longest suffix first, so "ms" is not read as "s" and "micros" not as "s".
struct Unit {
  std::string_view suffix;
  // Nanoseconds per unit.
  std::int64_t nanos;
};
constexpr std::array<Unit, 7> kUnits{{{"nanos", 1},
                                     {"micros", 1000},
                                     {"ms", 1000000},
                                     {"d", 86400LL * 1000000000},
                                     {"h", 3600LL * 1000000000},
                                     {"m", 60LL * 1000000000},
                                     {"s", 1000000000}}};

[[noreturn]] void failParse(std::string_view text, std::string_view parameter, std::string_view why) {
  std::string reason = "failed to parse setting [";
  reason.append(parameter).append("] with value [").append(text).append("] as a time value: ").append(why);
  throw AsyncSearchError(400, "parse_exception", reason);
}

}  // namespace

std::chrono::milliseconds parseTimeValue(std::string_view text, std::string_view parameter) {
  if (text == "-1") return std::chrono::milliseconds(-1);
  if (text == "0") return std::chrono::milliseconds(0);
  for (const auto& unit : kUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    const std::string_view number = text.substr(0, text.size() - unit.suffix.size());
    std::uint64_t count = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
    if (ec == std::errc::result_out_of_range) failParse(text, parameter, "the value is too large");
    if (ec != std::errc() || end != number.data() + number.size()) {
      failParse(text, parameter, "expected a whole non-negative number before the unit");
    }
    // In milliseconds without overflow: whole units of at least 1 ms multiply, smaller
    // ones divide.
    constexpr std::int64_t kNanosPerMilli = 1000000;
    std::uint64_t millis = 0;
    if (unit.nanos >= kNanosPerMilli) {
      const auto perUnit = static_cast<std::uint64_t>(unit.nanos / kNanosPerMilli);
      if (count > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / perUnit) {
        failParse(text, parameter, "the value is too large");
      }
      millis = count * perUnit;
    } else {
      millis = count / static_cast<std::uint64_t>(kNanosPerMilli / unit.nanos);
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(millis));
  }
  failParse(text, parameter, "unit is missing or unrecognized");
}

std::string formatTimeValue(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms <= 0) return std::to_string(ms) + "ms";
  constexpr std::array<std::pair<std::int64_t, std::string_view>, 4> kWhole{
      {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}}};
  for (const auto& [size, suffix] : kWhole) {
    if (ms % size == 0) return std::to_string(ms / size).append(suffix);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace orrery::async_search
