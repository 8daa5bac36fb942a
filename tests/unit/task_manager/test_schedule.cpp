// Schedules: intervals, cron parsing with errors naming the part at fault, and next-run
// computation in IANA time zones across daylight-saving changes.
#include <doctest/doctest.h>

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>

#include "schedule.hpp"

namespace {

using namespace orrery::task_manager;
using namespace std::chrono_literals;

// UTC instant from "YYYY-MM-DD HH:MM" (read with sscanf: date::parse trips g++ 12 -O3's
// -Wmaybe-uninitialized inside date.h).
SysTime utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  REQUIRE(std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) == 5);
  const auto day = date::sys_days(date::year{y} / static_cast<unsigned>(mo) / static_cast<unsigned>(d));
  return SysTime(day + std::chrono::hours(h) + std::chrono::minutes(mi));
}

std::string inZone(SysTime t, const char* zone) {
  return date::format("%F %H:%M %Z", date::make_zoned(zone, std::chrono::floor<std::chrono::minutes>(t)));
}

std::string refusal(std::string_view cron, std::string_view zone = "UTC") {
  try {
    CronExpression::parse(cron, zone);
  } catch (const ScheduleError& e) {
    return e.what();
  }
  FAIL("accepted: " << cron);
  return {};
}

}  // namespace

TEST_CASE("interval: units, and a refusal naming what is wrong") {
  CHECK(parseInterval("250ms") == 250ms);
  CHECK(parseInterval("10s") == 10s);
  CHECK(parseInterval("5m") == 5min);
  CHECK(parseInterval("1h") == 1h);
  CHECK(parseInterval("2d") == 48h);
  CHECK_THROWS_WITH_AS(parseInterval("0s"), "interval '0s': must be greater than zero", ScheduleError);
  CHECK_THROWS_WITH_AS(parseInterval("10x"), "interval '10x': unknown unit 'x' (use ms, s, m, h or d)", ScheduleError);
  CHECK_THROWS_WITH_AS(parseInterval("s"),
                       "interval 's': expected a whole number followed by a unit (ms, s, m, h, d), e.g. '10s'",
                       ScheduleError);
  CHECK_THROWS_AS(parseInterval(""), ScheduleError);
  CHECK_THROWS_AS(parseInterval("-5s"), ScheduleError);
}

TEST_CASE("cron: refusals name the field and the part at fault") {
  CHECK(refusal("61 * * * *") == "cron expression '61 * * * *': minute field '61' is out of range 0-59");
  CHECK(refusal("* 24 * * *") == "cron expression '* 24 * * *': hour field '24' is out of range 0-23");
  CHECK(refusal("* * 0 * *") == "cron expression '* * 0 * *': day-of-month field '0' is out of range 1-31");
  CHECK(refusal("* * * FOO *") ==
        "cron expression '* * * FOO *': month field 'FOO' is not a number or a name like JAN");
  CHECK(refusal("* * * * 8") == "cron expression '* * * * 8': day-of-week field '8' is out of range 0-7");
  CHECK(refusal("*/0 * * * *") == "cron expression '*/0 * * * *': minute field '*/0' has a step that is not a positive number");
  CHECK(refusal("5-1 * * * *") == "cron expression '5-1 * * * *': minute field '5-1' is a range whose start is after its end");
  CHECK(refusal("1,,2 * * * *") ==
        "cron expression '1,,2 * * * *': minute field '' is empty (two commas in a row, or a trailing comma)");
  CHECK(refusal("* * * *") ==
        "cron expression '* * * *': expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  CHECK(refusal("0 0 30 2 *") == "cron expression '0 0 30 2 *': day-of-month field '30' never occurs in month field '2'");
  CHECK(refusal("0 * * * *", "Mars/Olympus") ==
        "unknown time zone 'Mars/Olympus' (expected an IANA name such as 'Europe/Berlin')");
  CHECK_THROWS_WITH_AS(Schedule::parse(std::nullopt, std::nullopt, std::nullopt),
                       "schedule: needs an interval (e.g. '10s') or a cron expression", ScheduleError);
  CHECK_THROWS_AS(Schedule::parse("10s", "* * * * *", std::nullopt), ScheduleError);
  CHECK_THROWS_AS(Schedule::parse("10s", std::nullopt, "UTC"), ScheduleError);
}

TEST_CASE("cron: next run with ranges, steps, lists and names") {
  const auto every15 = CronExpression::parse("*/15 * * * *");
  CHECK(every15.next(utc("2026-01-01 10:07")) == utc("2026-01-01 10:15"));
  CHECK(every15.next(utc("2026-01-01 10:15")) == utc("2026-01-01 10:30"));  // strictly after
  CHECK(every15.next(utc("2026-01-01 23:50")) == utc("2026-01-02 00:00"));
  const auto weekdays = CronExpression::parse("30 9 * * MON-FRI");
  CHECK(weekdays.next(utc("2026-01-02 10:00")) == utc("2026-01-05 09:30"));  // Friday after 9:30 -> Monday
  const auto list = CronExpression::parse("0 8,12,18 * * *");
  CHECK(list.next(utc("2026-01-01 12:00")) == utc("2026-01-01 18:00"));
  const auto stepRange = CronExpression::parse("10-40/10 * * * *");
  CHECK(stepRange.next(utc("2026-01-01 10:41")) == utc("2026-01-01 11:10"));
  const auto startStep = CronExpression::parse("5/20 * * * *");
  CHECK(startStep.next(utc("2026-01-01 10:26")) == utc("2026-01-01 10:45"));
  const auto months = CronExpression::parse("0 0 1 jan,jul *");
  CHECK(months.next(utc("2026-02-01 00:00")) == utc("2026-07-01 00:00"));
  const auto leap = CronExpression::parse("0 0 29 2 *");
  CHECK(leap.next(utc("2026-03-01 00:00")) == utc("2028-02-29 00:00"));
  // Both day fields restricted: either matches (the 13th, or any Friday).
  const auto either = CronExpression::parse("0 0 13 * 5");
  CHECK(either.next(utc("2026-02-07 00:00")) == utc("2026-02-13 00:00"));  // Friday the 13th anyway
  CHECK(either.next(utc("2026-03-01 00:00")) == utc("2026-03-06 00:00"));  // a Friday before the 13th
  const auto sunday7 = CronExpression::parse("0 0 * * 7");
  CHECK(sunday7.next(utc("2026-01-01 00:00")) == utc("2026-01-04 00:00"));
}

TEST_CASE("cron in America/New_York: spring forward runs a skipped time when the gap ends") {
  // 2026-03-08 02:00 EST -> 03:00 EDT; 02:30 does not exist that day.
  const auto at230 = CronExpression::parse("30 2 * * *", "America/New_York");
  const auto first = at230.next(utc("2026-03-07 12:00"));
  CHECK(inZone(first, "America/New_York") == "2026-03-08 03:00 EDT");
  const auto second = at230.next(first);
  CHECK(inZone(second, "America/New_York") == "2026-03-09 02:30 EDT");
  // A daily 9:00 keeps its wall-clock time across the change (23 hours apart).
  const auto at9 = CronExpression::parse("0 9 * * *", "America/New_York");
  const auto before = at9.next(utc("2026-03-07 15:00"));
  CHECK(inZone(before, "America/New_York") == "2026-03-08 09:00 EDT");
  CHECK(before - at9.next(utc("2026-03-07 12:00")) == 23h);
}

TEST_CASE("cron in America/New_York: fall back runs a repeated time once") {
  // 2026-11-01 02:00 EDT -> 01:00 EST; 01:30 happens twice.
  const auto at130 = CronExpression::parse("30 1 * * *", "America/New_York");
  const auto first = at130.next(utc("2026-10-31 12:00"));
  CHECK(inZone(first, "America/New_York") == "2026-11-01 01:30 EDT");
  const auto second = at130.next(first);
  CHECK(inZone(second, "America/New_York") == "2026-11-02 01:30 EST");
  const auto hourly = CronExpression::parse("0 * * * *", "America/New_York");
  CHECK(inZone(hourly.next(utc("2026-11-01 05:30")), "America/New_York") == "2026-11-01 02:00 EST");
}

TEST_CASE("cron in Europe/Berlin: both changes") {
  // 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
  const auto at230 = CronExpression::parse("30 2 * * *", "Europe/Berlin");
  CHECK(inZone(at230.next(utc("2026-03-28 12:00")), "Europe/Berlin") == "2026-03-29 03:00 CEST");
  const auto first = at230.next(utc("2026-10-24 12:00"));
  CHECK(inZone(first, "Europe/Berlin") == "2026-10-25 02:30 CEST");
  CHECK(inZone(at230.next(first), "Europe/Berlin") == "2026-10-26 02:30 CET");
  // UTC offset of a plain daily run follows the zone.
  const auto noon = CronExpression::parse("0 12 * * *", "Europe/Berlin");
  CHECK(noon.next(utc("2026-07-01 00:00")) == utc("2026-07-01 10:00"));
  CHECK(noon.next(utc("2026-12-01 00:00")) == utc("2026-12-01 11:00"));
}
