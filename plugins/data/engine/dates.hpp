// Dates as the engine stores them (epoch milliseconds, UTC): parsing ISO 8601 and
// epoch_millis input, Elasticsearch date math (`now-1d/d`, `2024-01-01||+1M/M`), and
// formatting for key_as_string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "time_zone.hpp"

namespace orrery::data {

// ISO 8601 (`2024-05-01`, `2024-05-01T10:00:00`, `...Z`, `...+02:00`, fractions) or an
// integer of epoch milliseconds. nullopt when the text is neither.
std::optional<std::int64_t> parseDate(std::string_view text);
// Whether a string looks like a date for dynamic mapping (strict_date_optional_time).
bool looksLikeDate(std::string_view text);
// `2024-05-01T10:00:00.000Z`.
std::string formatDate(std::int64_t millis);

// Date math relative to `nowMillis`. `roundUp` rounds `/d` to the end of the unit (for
// gt and lte bounds, as Elasticsearch does). A date without an offset is a local time in
// `zone`, and rounding and calendar arithmetic (days and longer) happen on local time
// there; an explicit offset in the date wins, and `now` is an instant whatever the zone.
// Throws EngineError (parse_exception) naming the expression when it is malformed.
std::int64_t evaluateDateMath(std::string_view expression, std::int64_t nowMillis, bool roundUp,
                              const TimeZone& zone = TimeZone());

// Days since 1970-01-01 of a civil date, and back (proleptic Gregorian).
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day);
void civilFromDays(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day);

}  // namespace orrery::data
