#include "schedule.hpp"

#include <date/tz.h>

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace orrery::task_manager {

namespace {

using namespace std::chrono;

std::string quoted(std::string_view text) {
  std::string out = "'";
  out.append(text).append("'");
  return out;
}

std::optional<int> number(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct Field {
  const char* name;
  int min;
  int max;
  std::array<const char*, 12> names;  // JAN.. or SUN.., empty for numeric fields
  int namesStart;                     // value of names[0]
};

constexpr Field kMinute{"minute", 0, 59, {}, 0};
constexpr Field kHour{"hour", 0, 23, {}, 0};
constexpr Field kDay{"day-of-month", 1, 31, {}, 0};
constexpr Field kMonth{"month", 1, 12, {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}, 1};
// 7 is Sunday too, as in most crons.
constexpr Field kWeekday{"day-of-week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, 0};

class FieldParser {
 public:
  FieldParser(const Field& field, std::string_view expression) : field_(field), expression_(expression) {}

  // Bits min..max set for each value the field text allows.
  std::vector<bool> parse(std::string_view text) const {
    std::vector<bool> allowed(static_cast<std::size_t>(field_.max + 1), false);
    std::size_t start = 0;
    while (true) {
      const auto comma = text.find(',', start);
      const auto part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      parsePart(part, allowed);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return allowed;
  }

 private:
  [[noreturn]] void fail(std::string_view part, const std::string& why) const {
    std::string message = "cron expression ";
    message.append(quoted(expression_)).append(": ").append(field_.name).append(" field ");
    message.append(quoted(part)).append(" ").append(why);
    throw ScheduleError(message);
  }

  int value(std::string_view part, std::string_view text) const {
    if (auto parsed = number(text)) {
      if (*parsed < field_.min || *parsed > field_.max) {
        fail(part, "is out of range " + std::to_string(field_.min) + "-" + std::to_string(field_.max));
      }
      return *parsed;
    }
    std::string upper(text);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (std::size_t i = 0; i < field_.names.size(); ++i) {
      if (field_.names[i] && upper == field_.names[i]) return field_.namesStart + static_cast<int>(i);
    }
    if (field_.names[0]) fail(part, "is not a number or a name like " + std::string(field_.names[0]));
    fail(part, "is not a number");
  }

  void parsePart(std::string_view part, std::vector<bool>& allowed) const {
    if (part.empty()) fail(part, "is empty (two commas in a row, or a trailing comma)");
    int step = 1;
    auto range = part;
    if (const auto slash = part.find('/'); slash != std::string_view::npos) {
      const auto stepText = part.substr(slash + 1);
      const auto parsed = number(stepText);
      if (!parsed || *parsed <= 0) fail(part, "has a step that is not a positive number");
      step = *parsed;
      range = part.substr(0, slash);
    }
    int low = field_.min;
    int high = field_.max == 7 ? 6 : field_.max;  // `*` in day-of-week is 0-6
    if (range == "*") {
      // the whole range
    } else if (const auto dash = range.find('-'); dash != std::string_view::npos) {
      low = value(part, range.substr(0, dash));
      high = value(part, range.substr(dash + 1));
      if (low > high) fail(part, "is a range whose start is after its end");
    } else {
      low = value(part, range);
      // `5/15` means from 5 to the end in steps of 15.
      if (part.find('/') != std::string_view::npos) high = field_.max == 7 ? 6 : field_.max;
      else high = low;
    }
    for (int v = low; v <= high; v += step) allowed[static_cast<std::size_t>(v)] = true;
  }

  const Field& field_;
  std::string_view expression_;
};

}  // namespace

std::chrono::milliseconds parseInterval(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const auto unit = text.substr(digits);
  const auto amount = number(text.substr(0, digits));
  const std::string what = "interval " + quoted(text);
  if (!amount) throw ScheduleError(what + ": expected a whole number followed by a unit (ms, s, m, h, d), e.g. '10s'");
  std::chrono::milliseconds scale;
  if (unit == "ms") scale = 1ms;
  else if (unit == "s") scale = 1s;
  else if (unit == "m") scale = 1min;
  else if (unit == "h") scale = 1h;
  else if (unit == "d") scale = 24h;
  else throw ScheduleError(what + ": unknown unit " + quoted(unit) + " (use ms, s, m, h or d)");
  if (*amount == 0) throw ScheduleError(what + ": must be greater than zero");
  return scale * *amount;
}

CronExpression CronExpression::parse(std::string_view expression, std::string_view timeZone) {
  CronExpression cron;
  cron.text_ = std::string(expression);
  cron.zoneName_ = std::string(timeZone);
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && expression[i] == ' ') ++i;
    const auto start = i;
    while (i < expression.size() && expression[i] != ' ') ++i;
    if (i > start) fields.push_back(expression.substr(start, i - start));
  }
  if (fields.size() != 5) {
    throw ScheduleError("cron expression " + quoted(expression) + ": expected 5 fields (minute hour day-of-month month "
                        "day-of-week), got " + std::to_string(fields.size()));
  }
  const auto minutes = FieldParser(kMinute, expression).parse(fields[0]);
  const auto hours = FieldParser(kHour, expression).parse(fields[1]);
  const auto days = FieldParser(kDay, expression).parse(fields[2]);
  const auto months = FieldParser(kMonth, expression).parse(fields[3]);
  const auto weekdays = FieldParser(kWeekday, expression).parse(fields[4]);
  for (std::size_t v = 0; v < minutes.size(); ++v) cron.minutes_[v] = minutes[v];
  for (std::size_t v = 0; v < hours.size(); ++v) cron.hours_[v] = hours[v];
  for (std::size_t v = 0; v < days.size(); ++v) cron.days_[v] = days[v];
  for (std::size_t v = 0; v < months.size(); ++v) cron.months_[v] = months[v];
  for (std::size_t v = 0; v < weekdays.size(); ++v) cron.weekdays_[v % 7] = cron.weekdays_[v % 7] || weekdays[v];
  cron.anyDay_ = fields[2] == "*";
  cron.anyWeekday_ = fields[4] == "*";
  // A day that no month has (e.g. 30 2 *... in February only) would never run.
  bool someDay = false;
  constexpr std::array<int, 13> kMaxDay{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12 && !someDay; ++m) {
    if (!cron.months_[static_cast<std::size_t>(m)]) continue;
    for (int d = 1; d <= kMaxDay[static_cast<std::size_t>(m)]; ++d) someDay = someDay || cron.days_[static_cast<std::size_t>(d)];
  }
  if (!someDay && cron.anyWeekday_) {
    throw ScheduleError("cron expression " + quoted(expression) + ": day-of-month field " + quoted(fields[2]) +
                        " never occurs in month field " + quoted(fields[3]));
  }
  try {
    cron.zone_ = date::locate_zone(cron.zoneName_);
  } catch (const std::exception&) {
    throw ScheduleError("unknown time zone " + quoted(timeZone) + " (expected an IANA name such as 'Europe/Berlin')");
  }
  return cron;
}

SysTime CronExpression::next(SysTime after) const {
  using date::days;
  const auto afterSeconds = floor<seconds>(after);
  auto local = floor<minutes>(zone_->to_local(afterSeconds)) + minutes(1);
  // Five years of local minutes bound the search (a 29 February on a given weekday).
  const auto limit = local + days(5 * 366);
  while (local < limit) {
    const auto day = floor<days>(local);
    const date::year_month_day ymd(day);
    const auto month = static_cast<unsigned>(ymd.month());
    if (!months_[month]) {
      const auto firstOfNext = date::year_month_day(ymd.year() / ymd.month() / 1) + date::months(1);
      local = date::local_days(firstOfNext);
      continue;
    }
    const bool dayMatch = days_[static_cast<unsigned>(ymd.day())];
    const bool weekdayMatch = weekdays_[date::weekday(day).c_encoding()];
    // Standard cron: when both day fields are restricted, either may match.
    const bool matches = anyDay_ && anyWeekday_ ? true
                         : anyDay_              ? weekdayMatch
                         : anyWeekday_          ? dayMatch
                                                : (dayMatch || weekdayMatch);
    if (!matches) {
      local = day + days(1);
      continue;
    }
    const auto time = date::make_time(local - day);
    if (!hours_[static_cast<std::size_t>(time.hours().count())]) {
      local = floor<hours>(local) + hours(1);
      continue;
    }
    if (!minutes_[static_cast<std::size_t>(time.minutes().count())]) {
      local += minutes(1);
      continue;
    }
    const auto info = zone_->get_info(date::local_seconds(local));
    date::sys_seconds instant;
    if (info.result == date::local_info::nonexistent) {
      instant = info.first.end;  // the gap ends: run now
    } else {
      instant = date::sys_seconds(local.time_since_epoch() - info.first.offset);  // unique, or the first of two
    }
    if (instant > afterSeconds && SysTime(instant) > after) return SysTime(instant);
    local += minutes(1);
  }
  throw ScheduleError("cron expression " + quoted(text_) + " has no run time in the next five years");
}

Schedule Schedule::parse(std::optional<std::string> interval, std::optional<std::string> cron,
                         std::optional<std::string> timeZone) {
  Schedule schedule;
  if (interval && cron) throw ScheduleError("schedule: give either interval or cron, not both");
  if (interval) {
    if (timeZone) throw ScheduleError("schedule: timeZone applies to cron schedules only");
    schedule.interval = parseInterval(*interval);
  } else if (cron) {
    schedule.cron = CronExpression::parse(*cron, timeZone.value_or("UTC"));
  } else {
    throw ScheduleError("schedule: needs an interval (e.g. '10s') or a cron expression");
  }
  return schedule;
}

SysTime Schedule::next(SysTime after) const {
  if (interval) return after + *interval;
  return cron->next(after);
}

}  // namespace orrery::task_manager
