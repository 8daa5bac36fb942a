#include "date_intervals.hpp"

#include <date/tz.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <map>

#include "dates.hpp"
#include "errors.hpp"

namespace orrery::data::agg {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kWeek = 7 * kDay;
// 1970-01-01 was a Thursday; weeks start on Monday.
constexpr std::int64_t kMondayShift = 3 * kDay;
// The longest fixed interval: about 10,000 years, so that a key plus an interval stays far
// from the 64-bit limit.
constexpr std::int64_t kMaxFixedMillis = 10'000 * 366 * kDay;

std::int64_t floorMod(std::int64_t x, std::int64_t step) { return ((x % step) + step) % step; }

}  // namespace

DateRounding DateRounding::parse(const nlohmann::json& params) {
  DateRounding r;
  if (auto tz = params.find("time_zone"); tz != params.end()) {
    if (!tz->is_string()) throw illegalArgument("[time_zone] must be a string, found [" + tz->dump() + "]");
    r.zone_ = TimeZone::parse(tz->get<std::string>());
  }
  const auto calendar = params.find("calendar_interval");
  const auto fixed = params.find("fixed_interval");
  if (calendar != params.end()) {
    const std::string text = calendar->is_string() ? calendar->get<std::string>() : calendar->dump();
    static const std::map<std::string, char> kUnits = {
        {"minute", 'm'}, {"1m", 'm'}, {"hour", 'h'}, {"1h", 'h'}, {"day", 'd'},   {"1d", 'd'},   {"week", 'w'},
        {"1w", 'w'},     {"month", 'M'}, {"1M", 'M'}, {"quarter", 'q'}, {"1q", 'q'}, {"year", 'y'}, {"1y", 'y'}};
    auto it = kUnits.find(text);
    if (it == kUnits.end()) {
      throw illegalArgument("The supplied interval [" + text + "] could not be parsed as a calendar interval.");
    }
    r.calendar_ = true;
    r.unit_ = it->second;
    // Minutes and hours are the same length everywhere; so is a day at a fixed offset.
    if (r.unit_ == 'm') r.fixedMillis_ = 60'000;
    else if (r.unit_ == 'h') r.fixedMillis_ = 3'600'000;
    else if (r.unit_ == 'd' && !r.zone_.named()) r.fixedMillis_ = kDay;
    if (r.fixedMillis_ > 0) r.calendar_ = false;
    return r;
  }
  if (fixed != params.end()) {
    const std::string text = fixed->is_string() ? fixed->get<std::string>() : fixed->dump();
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    const std::string unit = text.substr(digits);
    static const std::map<std::string, std::int64_t> kFixed = {
        {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", kDay}};
    auto it = kFixed.find(unit);
    // At most 12 digits, and a product that fits: a longer interval would overflow the keys.
    if (digits == 0 || digits > 12 || it == kFixed.end() || std::stoll(text.substr(0, digits)) <= 0 ||
        __builtin_mul_overflow(std::stoll(text.substr(0, digits)), it->second, &r.fixedMillis_) ||
        r.fixedMillis_ > kMaxFixedMillis) {
      throw illegalArgument("failed to parse setting [date_histogram.fixedInterval] with value [" + text +
                            "] as a time value: unit is missing or unrecognized");
    }
    return r;
  }
  throw illegalArgument("Required one of fields [fixed_interval, calendar_interval], but none were specified.");
}

std::int64_t DateRounding::round(std::int64_t millis) const {
  const std::int64_t offset = zone_.offsetAt(millis);
  const std::int64_t local = millis + offset;
  if (!calendar_) return local - floorMod(local, fixedMillis_) - offset;
  std::int64_t localKey = 0;
  if (unit_ == 'd') {
    localKey = local - floorMod(local, kDay);
  } else if (unit_ == 'w') {
    const std::int64_t shifted = local + kMondayShift;
    localKey = shifted - floorMod(shifted, kWeek) - kMondayShift;
  } else {
    const date::sys_days day{date::days{(local - floorMod(local, kDay)) / kDay}};
    const date::year_month_day ymd(day);
    date::year_month_day first = ymd.year() / ymd.month() / 1;
    if (unit_ == 'q') {
      const unsigned month = (static_cast<unsigned>(ymd.month()) - 1) / 3 * 3 + 1;
      first = ymd.year() / date::month(month) / 1;
    } else if (unit_ == 'y') {
      first = ymd.year() / 1 / 1;
    }
    localKey = date::sys_days(first).time_since_epoch().count() * kDay;
  }
  return zone_.toUtc(localKey);
}

std::int64_t DateRounding::next(std::int64_t key) const {
  if (!calendar_) {
    const std::int64_t after = round(key + fixedMillis_);
    return after > key ? after : key + fixedMillis_;
  }
  const std::int64_t local = round(key) + zone_.offsetAt(round(key));
  const std::int64_t localDay = local - floorMod(local, kDay);
  std::int64_t nextLocal = 0;
  if (unit_ == 'd') {
    nextLocal = localDay + kDay;
  } else if (unit_ == 'w') {
    nextLocal = localDay + kWeek;
  } else {
    const date::year_month_day ymd{date::sys_days{date::days{localDay / kDay}}};
    const auto step = date::months(unit_ == 'M' ? 1 : unit_ == 'q' ? 3 : 12);
    nextLocal = date::sys_days(ymd + step).time_since_epoch().count() * kDay;
  }
  return zone_.toUtc(nextLocal);
}

std::string DateRounding::format(std::int64_t key) const {
  const std::int64_t offset = zone_.offsetAt(key);
  std::string text = formatDate(key + offset);
  if (offset == 0) return text;
  text.pop_back();  // the Z
  char buffer[32];
  const std::int64_t minutes = std::llabs(offset) / 60'000;
  std::snprintf(buffer, sizeof buffer, "%c%02lld:%02lld", offset < 0 ? '-' : '+', static_cast<long long>(minutes / 60),
                static_cast<long long>(minutes % 60));
  text += buffer;
  return text;
}

SqlFragment DateRounding::sqlKey(const std::string& function) const {
  SqlFragment out;
  if (zone_.named()) return out.add(function + "(v)");
  const std::string tz = std::to_string(zone_.fixedOffset());
  const std::string x = "(v + " + tz + ")";
  if (!calendar_) {
    const std::string step = std::to_string(fixedMillis_);
    return out.add("(" + x + " - ((" + x + " % " + step + ") + " + step + ") % " + step + " - " + tz + ")");
  }
  if (unit_ == 'w') {
    const std::string shifted = "(" + x + " + 259200000)";
    return out.add("(" + shifted + " - ((" + shifted + " % 604800000) + 604800000) % 604800000 - 259200000 - " + tz + ")");
  }
  const std::string secs = "(" + x + " / 1000)";
  std::string modifiers;
  if (unit_ == 'M') modifiers = "'start of month'";
  else if (unit_ == 'y') modifiers = "'start of year'";
  else modifiers = "'start of month', '-' || ((CAST(strftime('%m', " + secs + ", 'unixepoch') AS INTEGER) - 1) % 3) || ' months'";
  return out.add("(CAST(strftime('%s', " + secs + ", 'unixepoch', " + modifiers + ") AS INTEGER) * 1000 - " + tz + ")");
}

namespace {

void roundFunction(sqlite3_context* context, int, sqlite3_value** argv) {
  const int type = sqlite3_value_type(argv[0]);
  if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) {
    sqlite3_result_null(context);
    return;
  }
  try {
    const auto* rounding = static_cast<const DateRounding*>(sqlite3_user_data(context));
    sqlite3_result_int64(context, rounding->round(sqlite3_value_int64(argv[0])));
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

}  // namespace

NamedZoneKey::NamedZoneKey(sqlite3* db, const DateRounding& rounding) : db_(db) {
  static std::atomic<std::uint64_t> counter{0};
  name_ = "orrery_date_key_" + std::to_string(++counter);
  // The connection owns the copy (freed by the destroy callback), so it outlives any
  // statement that might still name the function.
  auto* copy = new DateRounding(rounding);
  const int rc = sqlite3_create_function_v2(db_, name_.c_str(), 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, copy,
                                            roundFunction, nullptr, nullptr,
                                            [](void* p) { delete static_cast<DateRounding*>(p); });
  if (rc != SQLITE_OK) throw SqliteError("cannot register the date_histogram time zone function: " + std::string(sqlite3_errmsg(db_)));
}

NamedZoneKey::~NamedZoneKey() {
  // Fails (harmlessly: the name is never used again) while another statement runs.
  sqlite3_create_function_v2(db_, name_.c_str(), 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, nullptr, nullptr,
                             nullptr, nullptr);
}

}  // namespace orrery::data::agg
