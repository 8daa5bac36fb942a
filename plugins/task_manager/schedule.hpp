// Task schedules: a fixed interval (`10s`, `5m`, `1h`, `1d`, `250ms`) or a 5-field cron
// expression evaluated in an IANA time zone (from the system tzdata, via Howard
// Hinnant's date/tz). Parsing refuses bad input with a message naming the part at fault.
//
// Daylight-saving rules for cron, chosen to match what people expect of a wall clock:
// - a local time that does not exist (spring forward) runs when the gap ends;
// - a local time that occurs twice (fall back) runs once, at its first occurrence.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace orrery::task_manager {

using SysTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Thrown for an invalid schedule; what() names the field or part at fault.
class ScheduleError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// `10s` and friends; throws ScheduleError for a bad unit, a missing number or zero.
std::chrono::milliseconds parseInterval(std::string_view text);

class CronExpression {
 public:
  // Throws ScheduleError naming the field (minute, hour, day-of-month, month,
  // day-of-week) and the part that is wrong, or the unknown time zone.
  static CronExpression parse(std::string_view expression, std::string_view timeZone = "UTC");

  // The first run time strictly after `after`.
  SysTime next(SysTime after) const;

  const std::string& text() const { return text_; }
  const std::string& timeZone() const { return zoneName_; }

 private:
  std::string text_;
  std::string zoneName_;
  const date::time_zone* zone_ = nullptr;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool anyDay_ = true;       // day-of-month is `*`
  bool anyWeekday_ = true;   // day-of-week is `*`
};

// What a task document holds: an interval or a cron expression with its zone.
struct Schedule {
  std::optional<std::chrono::milliseconds> interval;
  std::optional<CronExpression> cron;

  // From the task document's fields; throws ScheduleError. Exactly one of interval and
  // cron must be given; `timeZone` only with cron.
  static Schedule parse(std::optional<std::string> interval, std::optional<std::string> cron,
                        std::optional<std::string> timeZone);
  SysTime next(SysTime after) const;
};

}  // namespace orrery::task_manager
