#include "core/plugins/manifest_text.hpp"

#include <algorithm>
#include <cstdint>

namespace orrery::plugins::manifest_text {
namespace {

// Longer values are cut: a message must stay one readable log line.
constexpr std::size_t kMaxShownBytes = 80;

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one.
std::size_t utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  std::uint32_t min = 0;
  std::uint32_t code = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if (!isContinuation(next)) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

void appendHexByte(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// Longest prefix of at most `limit` bytes that does not split a UTF-8 character.
std::string_view cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && isContinuation(static_cast<unsigned char>(text[end]))) --end;
  return text.substr(0, end);
}

}  // namespace

std::string sanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8SequenceLength(text, i);
    if (length == 0) {
      appendHexByte(out, static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string describe(const nlohmann::json& value) {
  using nlohmann::json;
  switch (value.type()) {
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      const std::string_view shown = cut(s, kMaxShownBytes);
      std::string out = json(std::string(shown)).dump(-1, ' ', false, json::error_handler_t::replace);
      if (shown.size() < s.size()) {
        out.insert(out.size() - 1, "...");
        out += " (" + std::to_string(s.size()) + " bytes)";
      }
      return out;
    }
    default: return value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

std::string printableName(std::string_view name) {
  const std::string_view shown = cut(name, kMaxShownBytes);
  std::string out;
  for (const char c : sanitizeUtf8(shown)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\'') {
      appendHexByte(out, u);
    } else {
      out += c;
    }
  }
  if (shown.size() < name.size()) out += "...";
  return out;
}

LineColumn lineColumnAt(std::string_view text, std::size_t byte) {
  const std::size_t at = std::min(byte == 0 ? 0 : byte - 1, text.size());
  LineColumn position;
  std::size_t lineStart = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      lineStart = i + 1;
    }
  }
  position.column = 1 + static_cast<std::size_t>(std::count_if(
                            text.begin() + static_cast<std::ptrdiff_t>(lineStart),
                            text.begin() + static_cast<std::ptrdiff_t>(at),
                            [](char c) { return !isContinuation(static_cast<unsigned char>(c)); }));
  return position;
}

}  // namespace orrery::plugins::manifest_text
