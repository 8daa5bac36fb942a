// A time zone as Elasticsearch's `time_zone` parameters name it: UTC, a fixed offset
// (`+01:00`, `-0530`, `+01`) or a named IANA zone (`Europe/Berlin`) whose offset follows
// the daylight-saving rules of the tz database. Shared by date_histogram's rounding and
// by date math in range queries, so both read a zone the same way.
#pragma once

#include <cstdint>
#include <string>

namespace date {
class time_zone;
}

namespace orrery::data {

class TimeZone {
 public:
  // UTC.
  TimeZone() = default;
  // Throws illegal_argument_exception `Unknown time-zone ID: <name>` when `name` is
  // neither an offset nor a zone of the tz database.
  static TimeZone parse(const std::string& name);

  // Milliseconds to add to a UTC instant to get the local time there.
  std::int64_t offsetAt(std::int64_t utcMillis) const;
  // The UTC instant of a local time: the earlier of two in an overlap, the end of the gap
  // for a local time skipped by a daylight-saving jump.
  std::int64_t toUtc(std::int64_t localMillis) const;
  // A named zone's offset changes over time; a fixed one's never does.
  bool named() const { return zone_ != nullptr; }
  std::int64_t fixedOffset() const { return offsetMillis_; }

 private:
  std::int64_t offsetMillis_ = 0;
  const date::time_zone* zone_ = nullptr;
};

}  // namespace orrery::data
