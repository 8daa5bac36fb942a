#include "dates.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "errors.hpp"

namespace orrery::data {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

// `hasOffset` tells whether the text named its offset (Z or ±hh:mm); without one it is UTC.
std::optional<std::int64_t> parseIso(std::string_view t, bool& hasOffset) {
  hasOffset = false;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!digits(t, 0, 4, year)) return std::nullopt;
  std::size_t pos = 4;
  if (pos < t.size()) {
    if (t[pos] != '-' || !digits(t, pos + 1, 2, month)) return std::nullopt;
    pos += 3;
    if (pos < t.size()) {
      if (t[pos] != '-' || !digits(t, pos + 1, 2, day)) return std::nullopt;
      pos += 3;
    }
  }
  std::int64_t fractionMillis = 0;
  std::int64_t offset = 0;
  if (pos < t.size()) {
    if (t[pos] != 'T' && t[pos] != ' ') return std::nullopt;
    if (!digits(t, pos + 1, 2, hour)) return std::nullopt;
    pos += 3;
    if (pos < t.size() && t[pos] == ':') {
      if (!digits(t, pos + 1, 2, minute)) return std::nullopt;
      pos += 3;
      if (pos < t.size() && t[pos] == ':') {
        if (!digits(t, pos + 1, 2, second)) return std::nullopt;
        pos += 3;
        if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
          ++pos;
          int scale = 100;
          const std::size_t start = pos;
          while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
            fractionMillis += (t[pos] - '0') * scale;
            scale /= 10;
            ++pos;
          }
          if (pos == start) return std::nullopt;
        }
      }
    }
    if (pos < t.size()) {
      hasOffset = true;
      if (t[pos] == 'Z' && pos + 1 == t.size()) {
        pos = t.size();
      } else if (t[pos] == '+' || t[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(t, pos + 1, 2, oh)) return std::nullopt;
        std::size_t next = pos + 3;
        if (next < t.size() && t[next] == ':') ++next;
        if (next < t.size() && !digits(t, next, 2, om)) return std::nullopt;
        if (next < t.size()) next += 2;
        if (next != t.size()) return std::nullopt;
        offset = (t[pos] == '+' ? 1 : -1) * (oh * kHour + om * kMinute);
        pos = t.size();
      } else {
        return std::nullopt;
      }
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kDay + hour * kHour +
         minute * kMinute + second * kSecond + fractionMillis - offset;
}

std::int64_t addMonths(std::int64_t millis, std::int64_t months) {
  const std::int64_t days = millis >= 0 ? millis / kDay : (millis - kDay + 1) / kDay;
  const std::int64_t within = millis - days * kDay;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  std::int64_t total = y * 12 + (m - 1) + months;
  std::int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
  unsigned nm = static_cast<unsigned>(total - ny * 12) + 1;
  static constexpr unsigned kLength[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = kLength[nm - 1];
  if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) last = 29;
  return daysFromCivil(ny, nm, d > last ? last : d) * kDay + within;
}

// Start of the unit containing `millis` (UTC).
std::int64_t roundDown(std::int64_t millis, char unit) {
  const auto floorTo = [](std::int64_t v, std::int64_t step) { return (v >= 0 ? v / step : (v - step + 1) / step) * step; };
  const std::int64_t days = floorTo(millis, kDay) / kDay;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  switch (unit) {
    case 's': return floorTo(millis, kSecond);
    case 'm': return floorTo(millis, kMinute);
    case 'h':
    case 'H': return floorTo(millis, kHour);
    case 'd': return floorTo(millis, kDay);
    case 'w': return (floorTo(days + 3, 7) - 3) * kDay;  // weeks start on Monday
    case 'M':
      civilFromDays(days, y, m, d);
      return daysFromCivil(y, m, 1) * kDay;
    case 'y':
      civilFromDays(days, y, m, d);
      return daysFromCivil(y, 1, 1) * kDay;
    default: return millis;
  }
}

std::int64_t addUnits(std::int64_t millis, std::int64_t amount, char unit) {
  switch (unit) {
    case 's': return millis + amount * kSecond;
    case 'm': return millis + amount * kMinute;
    case 'h':
    case 'H': return millis + amount * kHour;
    case 'd': return millis + amount * kDay;
    case 'w': return millis + amount * 7 * kDay;
    case 'M': return addMonths(millis, amount);
    case 'y': return addMonths(millis, amount * 12);
    default: return millis;
  }
}

bool isUnit(char c) { return c == 'y' || c == 'M' || c == 'w' || c == 'd' || c == 'h' || c == 'H' || c == 'm' || c == 's'; }

}  // namespace

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2);
}

namespace {

// A date as an instant: epoch milliseconds, or ISO 8601 read as a local time in `zone`
// unless it names its own offset.
std::optional<std::int64_t> parseDateIn(std::string_view text, const TimeZone& zone) {
  if (text.empty()) return std::nullopt;
  std::int64_t millis = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), millis);
  if (ec == std::errc() && end == text.data() + text.size()) return millis;
  bool hasOffset = false;
  const auto parsed = parseIso(text, hasOffset);
  if (!parsed || hasOffset) return parsed;
  return zone.toUtc(*parsed);
}

}  // namespace

std::optional<std::int64_t> parseDate(std::string_view text) { return parseDateIn(text, TimeZone()); }

bool looksLikeDate(std::string_view text) {
  bool hasOffset = false;
  return text.size() >= 10 && text[4] == '-' && text[7] == '-' && parseIso(text, hasOffset).has_value();
}

std::string formatDate(std::int64_t millis) {
  const std::int64_t days = (millis >= 0 ? millis / kDay : (millis - kDay + 1) / kDay);
  std::int64_t within = millis - days * kDay;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(within / kHour), static_cast<long long>(within / kMinute % 60),
                static_cast<long long>(within / kSecond % 60), static_cast<long long>(within % 1000));
  return buffer;
}

std::int64_t evaluateDateMath(std::string_view expression, std::int64_t nowMillis, bool roundUp, const TimeZone& zone) {
  const auto bad = [&](const std::string& why) {
    return EngineError(400, "parse_exception",
                       "failed to parse date field [" + std::string(expression) + "]: " + why);
  };
  std::int64_t value = 0;
  std::string_view math;
  if (expression.starts_with("now")) {
    value = nowMillis;
    math = expression.substr(3);
  } else {
    const auto bars = expression.find("||");
    const auto anchor = expression.substr(0, bars);
    const auto parsed = parseDateIn(anchor, zone);
    if (!parsed) throw bad("expected an ISO 8601 date, epoch milliseconds or now");
    value = *parsed;
    if (bars == std::string_view::npos) return value;
    math = expression.substr(bars + 2);
  }
  // Rounding and days, weeks, months and years act on the local time (a day is from local
  // midnight to local midnight, 23 or 25 hours across a daylight-saving change); hours,
  // minutes and seconds on the instant, as Java's ZonedDateTime does.
  const auto local = [&](std::int64_t utc) { return utc + zone.offsetAt(utc); };
  std::size_t pos = 0;
  while (pos < math.size()) {
    const char op = math[pos++];
    if (op == '/') {
      if (pos >= math.size() || !isUnit(math[pos])) throw bad("expected a unit after '/'");
      const char unit = math[pos++];
      const std::int64_t start = roundDown(local(value), unit);
      value = roundUp ? zone.toUtc(addUnits(start, 1, unit)) - 1 : zone.toUtc(start);
    } else if (op == '+' || op == '-') {
      std::int64_t amount = 1;
      const std::size_t start = pos;
      while (pos < math.size() && std::isdigit(static_cast<unsigned char>(math[pos]))) ++pos;
      if (pos > start) std::from_chars(math.data() + start, math.data() + pos, amount);
      if (pos >= math.size() || !isUnit(math[pos])) throw bad("expected a unit (y, M, w, d, h, m, s) after the amount");
      const char unit = math[pos++];
      const std::int64_t signedAmount = op == '+' ? amount : -amount;
      const bool onInstant = unit == 'h' || unit == 'H' || unit == 'm' || unit == 's';
      value = onInstant ? addUnits(value, signedAmount, unit) : zone.toUtc(addUnits(local(value), signedAmount, unit));
    } else {
      throw bad(std::string("unexpected character '") + op + "' in date math");
    }
  }
  return value;
}

}  // namespace orrery::data
