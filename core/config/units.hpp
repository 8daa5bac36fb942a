// Duration and byte-size literals of the configuration language (`5s`, `64kb`), both ways.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::config {

// `250ms`, `5s`, `5m`, `2h`, `7d`: a non-negative integer amount and one lower-case unit,
// nothing around it. Bare integers are not durations here: the validator reads them as
// milliseconds, because only it knows the value came as a number rather than as text.
// nullopt for anything else, including amounts that overflow 64-bit milliseconds.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

// `512b`, `64kb`, `10mb`, `1gb`, `1tb`, units in any case, powers of 1024.
// nullopt for anything else, including sizes beyond std::int64_t.
std::optional<std::int64_t> parseByteSize(std::string_view text);

// The largest unit that divides the value exactly, so `formatDuration(parse(x))` reads
// like what an operator would have written (`90s` stays `90s`, `120000` becomes `2m`).
std::string formatDuration(std::chrono::milliseconds value);
std::string formatBytes(std::int64_t bytes);

}  // namespace orrery::config
