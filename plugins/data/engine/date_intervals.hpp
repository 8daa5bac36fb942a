// date_histogram's bucket keys: a fixed interval (ms, s, m, h, d) or a calendar unit
// (minute ... year) in a time zone — UTC, a fixed offset, or a named IANA zone, where a
// day starts at local midnight whatever the daylight-saving rules make of it. A key is
// the UTC millisecond at which its bucket starts.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "query_sql.hpp"
#include "time_zone.hpp"

namespace orrery::data::agg {

class DateRounding {
 public:
  // From the aggregation's parameters (fixed_interval or calendar_interval, time_zone);
  // throws illegal_argument_exception naming what is wrong (an unknown zone by name).
  static DateRounding parse(const nlohmann::json& params);

  // The key of the bucket holding `millis`.
  std::int64_t round(std::int64_t millis) const;
  // The key of the bucket after the one starting at `key`.
  std::int64_t next(std::int64_t key) const;
  // key_as_string: the key's local time in the zone, with its offset unless UTC.
  std::string format(std::int64_t key) const;
  // The key of `v` as SQL. With a named zone it calls a function registered on the
  // connection by NamedZoneKey; otherwise plain arithmetic.
  SqlFragment sqlKey(const std::string& function) const;
  bool needsFunction() const { return zone_.named(); }

 private:
  bool calendar_ = false;
  char unit_ = 'd';              // calendar unit: m h d w M q y
  std::int64_t fixedMillis_ = 0;  // fixed intervals (and minute/hour, which are the same everywhere)
  TimeZone zone_;
};

// Registers `rounding.round` as a SQL function on `db` while this lives.
class NamedZoneKey {
 public:
  NamedZoneKey(sqlite3* db, const DateRounding& rounding);
  ~NamedZoneKey();
  NamedZoneKey(const NamedZoneKey&) = delete;
  NamedZoneKey& operator=(const NamedZoneKey&) = delete;
  const std::string& name() const { return name_; }

 private:
  sqlite3* db_;
  std::string name_;
};

}  // namespace orrery::data::agg
