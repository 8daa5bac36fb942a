// Elasticsearch-style time values for API key expirations: an integer and a unit,
// `500ms`, `30s`, `15m`, `12h`, `7d`.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace orrery::security {

// The duration `text` spells, or nullopt when it is not a positive time value.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace orrery::security
