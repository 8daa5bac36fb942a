#include "core/config/units.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <utility>

namespace orrery::config {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t factor;
};

// Longest suffix first so that `ms` is not read as `m` followed by junk.
constexpr std::array<Unit, 5> kDurationUnits{{
    {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 60 * 60 * 1000}, {"d", 24 * 60 * 60 * 1000}}};

constexpr std::array<Unit, 5> kByteUnits{{{"tb", std::int64_t{1} << 40},
                                          {"gb", std::int64_t{1} << 30},
                                          {"mb", std::int64_t{1} << 20},
                                          {"kb", std::int64_t{1} << 10},
                                          {"b", 1}}};

bool endsWithIgnoringCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const auto tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char c = tail[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

// Digits only: from_chars alone would accept a leading '-'.
std::optional<std::int64_t> parseAmount(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t amount = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return amount;
}

std::optional<std::int64_t> scale(std::int64_t amount, std::int64_t factor) {
  if (amount > std::numeric_limits<std::int64_t>::max() / factor) return std::nullopt;
  return amount * factor;
}

template <std::size_t N>
std::optional<std::int64_t> parseWithUnits(std::string_view text, const std::array<Unit, N>& units,
                                           bool ignoreCase) {
  for (const auto& unit : units) {
    const bool matches = ignoreCase ? endsWithIgnoringCase(text, unit.suffix) : text.ends_with(unit.suffix);
    if (!matches) continue;
    const auto amount = parseAmount(text.substr(0, text.size() - unit.suffix.size()));
    if (!amount) return std::nullopt;
    return scale(*amount, unit.factor);
  }
  return std::nullopt;
}

template <std::size_t N>
std::string formatWithUnits(std::int64_t value, const std::array<Unit, N>& unitsLargestFirst) {
  // append() rather than operator+: g++ 12 at -O3 reports a false -Wrestrict on the
  // latter (GCC bug 105651), which -Werror turns into a failed release build.
  std::string out;
  const Unit* chosen = &unitsLargestFirst.back();
  for (const auto& unit : unitsLargestFirst) {
    if (value != 0 && value % unit.factor == 0) {
      chosen = &unit;
      break;
    }
  }
  out.append(std::to_string(value / chosen->factor));
  out.append(chosen->suffix);
  return out;
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  const auto ms = parseWithUnits(text, kDurationUnits, false);
  if (!ms) return std::nullopt;
  return std::chrono::milliseconds(*ms);
}

std::optional<std::int64_t> parseByteSize(std::string_view text) {
  return parseWithUnits(text, kByteUnits, true);
}

std::string formatDuration(std::chrono::milliseconds value) {
  static constexpr std::array<Unit, 5> kLargestFirst{{{"d", 24 * 60 * 60 * 1000},
                                                      {"h", 60 * 60 * 1000},
                                                      {"m", 60 * 1000},
                                                      {"s", 1000},
                                                      {"ms", 1}}};
  return formatWithUnits(value.count(), kLargestFirst);
}

std::string formatBytes(std::int64_t bytes) { return formatWithUnits(bytes, kByteUnits); }

}  // namespace orrery::config
