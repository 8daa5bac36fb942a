// Helpers that turn untrusted manifest content into safe, short message text: the value
// a field held ("got ..."), a JSON parse position as line and column, and field names
// that may contain anything a JSON key can.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace orrery::plugins::manifest_text {

// `got` part of a message: 42, true, null, "text" (quoted, escaped, cut when long),
// an array, an object.
std::string describe(const nlohmann::json& value);

// A key or id as it may appear inside '...': control characters escaped, cut when long.
std::string printableName(std::string_view name);

// Replaces bytes that are not UTF-8 with \xNN, so messages stay valid UTF-8 text.
std::string sanitizeUtf8(std::string_view text);

struct LineColumn {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in UTF-8 characters
};

// `byte` is nlohmann's parse_error::byte: the count of bytes read, the last being the
// offending one (or the end of input).
LineColumn lineColumnAt(std::string_view text, std::size_t byte);

}  // namespace orrery::plugins::manifest_text
