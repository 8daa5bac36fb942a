// Elasticsearch time values in URL parameters ("100ms", "1s", "5d"): how keep_alive and
// wait_for_completion_timeout are written by clients.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace orrery::async_search {

// Parses `text` ("<number><unit>", unit one of nanos, micros, ms, s, m, h, d; "-1" and
// "0" need none). Throws AsyncSearchError 400 parse_exception naming `parameter` and the
// value, as Elasticsearch does. Sub-millisecond values round down.
std::chrono::milliseconds parseTimeValue(std::string_view text, std::string_view parameter);

// The shortest exact text for `value` ("1s", "1500ms", "5d"), as Elasticsearch prints it.
std::string formatTimeValue(std::chrono::milliseconds value);

}  // namespace orrery::async_search
