// libFuzzer target for task schedules, which API users and plugins send: an interval, or
// a cron expression with a time zone. Any bytes must give a schedule or a ScheduleError
// naming the part at fault — never a crash, a hang or another exception — and a parsed
// cron expression must yield a next run strictly after the given time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "schedule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orrery::task_manager;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // First line: the expression; second line (optional): the time zone.
  const auto newline = text.find('\n');
  const auto expression = text.substr(0, newline);
  const auto zone = newline == std::string_view::npos ? std::string_view("UTC") : text.substr(newline + 1);
  try {
    if (parseInterval(expression).count() <= 0) std::abort();
  } catch (const ScheduleError&) {
  }
  try {
    const auto cron = CronExpression::parse(expression, zone);
    const SysTime after(std::chrono::milliseconds(1'790'000'000'000));
    if (cron.next(after) <= after) std::abort();
  } catch (const ScheduleError&) {
  }
  return 0;
}
