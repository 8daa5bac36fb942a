#include "time_zone.hpp"

#include <date/tz.h>

#include <cstdio>
#include <optional>

#include "errors.hpp"

namespace orrery::data {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A fixed offset such as +02:00, -05:30, +0100 or +01; nullopt when `tz` is not one.
std::optional<std::int64_t> offsetNamed(const std::string& tz) {
  if (tz.empty() || tz == "UTC" || tz == "Z" || tz == "Etc/UTC" || tz == "GMT" || tz == "+00:00") return 0;
  if ((tz[0] != '+' && tz[0] != '-') || tz.size() < 3) return std::nullopt;
  int h = 0, m = 0;
  char rest = 0;
  const bool colon = tz.find(':') != std::string::npos;
  const int read = colon ? std::sscanf(tz.c_str() + 1, "%2d:%2d%c", &h, &m, &rest)
                         : std::sscanf(tz.c_str() + 1, "%2d%2d%c", &h, &m, &rest);
  if (read < 1 || read > 2 || h > 18 || m >= 60) return std::nullopt;
  return (tz[0] == '+' ? 1 : -1) * (h * 3'600'000LL + m * 60'000LL);
}

// Whole seconds at or before `millis` (the tz database's resolution).
seconds floorSeconds(std::int64_t millis) { return seconds(millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000)); }

}  // namespace

TimeZone TimeZone::parse(const std::string& name) {
  TimeZone zone;
  if (auto offset = offsetNamed(name)) {
    zone.offsetMillis_ = *offset;
    return zone;
  }
  try {
    zone.zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    throw illegalArgument("Unknown time-zone ID: " + name);
  }
  return zone;
}

std::int64_t TimeZone::offsetAt(std::int64_t utcMillis) const {
  if (!zone_) return offsetMillis_;
  const date::sys_seconds at(floorSeconds(utcMillis));
  return std::chrono::duration_cast<milliseconds>(zone_->get_info(at).offset).count();
}

std::int64_t TimeZone::toUtc(std::int64_t localMillis) const {
  if (!zone_) return localMillis - offsetMillis_;
  const date::local_seconds at(floorSeconds(localMillis));
  const auto info = zone_->get_info(at);
  if (info.result == date::local_info::nonexistent) {
    // Local time skipped by a daylight-saving jump (a day starting in the gap starts
    // when the gap ends).
    return std::chrono::duration_cast<milliseconds>(info.first.end.time_since_epoch()).count();
  }
  // Unique, or the earlier of two.
  return localMillis - std::chrono::duration_cast<milliseconds>(info.first.offset).count();
}

}  // namespace orrery::data
