#include "index_name.hpp"

#include <clocale>
#include <cstdint>
#include <cwctype>

#include "errors.hpp"

namespace orrery::data {
namespace {

// The characters Elasticsearch refuses in file names (Strings.INVALID_FILENAME_CHARS),
// named in its message in this order.
constexpr std::string_view kInvalidFilenameChars = "\\/*?\"<>| ,";
constexpr const char* kInvalidFilenameList = "[ , \", *, \\, <, |, ,, >, /, ?]";

EngineError invalid(std::string_view name, const std::string& why) {
  const auto shown = printableName(name);
  return EngineError(400, "invalid_index_name_exception", "Invalid index name [" + shown + "], " + why,
                     {{"index_uuid", "_na_"}, {"index", shown}});
}

// The length of the UTF-8 sequence at `at` (1..4), or 0 when it is not one (overlong
// forms, surrogates and code points past U+10FFFF included).
std::size_t utf8Length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) length = 2, code = lead & 0x1Fu;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3, code = lead & 0x0Fu;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4, code = lead & 0x07u;
  else return 0;
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (byte(at + i) & 0x3Fu);
  }
  if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF))) return 0;
  if (code >= 0xD800 && code <= 0xDFFF) return 0;
  return length;
}

// The code point of the valid UTF-8 sequence of `length` bytes at `at`.
char32_t decode(std::string_view text, std::size_t at, std::size_t length) {
  const auto lead = static_cast<std::uint8_t>(text[at]);
  char32_t code = length == 1 ? lead : length == 2 ? lead & 0x1Fu : length == 3 ? lead & 0x0Fu : lead & 0x07u;
  for (std::size_t i = 1; i < length; ++i) code = (code << 6) | (static_cast<std::uint8_t>(text[at + i]) & 0x3Fu);
  return code;
}

// Whether a letter has a lowercase form other than itself, by Unicode's simple case
// mapping (glibc's C.UTF-8 tables): Elasticsearch refuses a name that
// toLowerCase(Locale.ROOT) changes, so `É` or `Ω` are refused as `A` is. Should the
// locale be missing, ASCII letters are still checked.
bool isUpper(char32_t code) {
  if (code < 0x80) return code >= 'A' && code <= 'Z';
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (utf8 == static_cast<locale_t>(0)) return false;
  const auto wide = static_cast<wint_t>(code);
  return towlower_l(wide, utf8) != wide;
}

bool isControl(char c) { return static_cast<std::uint8_t>(c) < 0x20 || c == 0x7f; }

void checkLength(std::string_view name) {
  if (name.size() > kMaxIndexNameBytes) {
    throw invalid(name, "index name is too long, (" + std::to_string(name.size()) + " > " +
                            std::to_string(kMaxIndexNameBytes) + ")");
  }
}

// The rules names and patterns share, in Elasticsearch's order where it has them;
// `allowStar` for patterns.
void checkBytes(std::string_view name, bool allowStar) {
  if (name.empty()) throw invalid(name, "must not be empty");
  for (std::size_t i = 0; i < name.size();) {
    if (isControl(name[i])) throw invalid(name, "must not contain control characters (bytes below 0x20, or 0x7f)");
    const auto length = utf8Length(name, i);
    if (length == 0) throw invalid(name, "must be valid UTF-8");
    i += length;
  }
  for (char c : name) {
    if (c == '*' && allowStar) continue;
    if (kInvalidFilenameChars.find(c) != std::string_view::npos) {
      throw invalid(name, std::string("must not contain the following characters ") + kInvalidFilenameList);
    }
  }
  if (name.find('#') != std::string_view::npos) throw invalid(name, "must not contain '#'");
  if (name.find(':') != std::string_view::npos) throw invalid(name, "must not contain ':'");
}

}  // namespace

void validateIndexName(std::string_view name) {
  checkBytes(name, false);
  if (name.front() == '_' || name.front() == '-' || name.front() == '+') {
    throw invalid(name, "must not start with '_', '-', or '+'");
  }
  checkLength(name);
  if (name == "." || name == "..") throw invalid(name, "must not be '.' or '..'");
  // (checkBytes has found the name valid UTF-8.)
  for (std::size_t i = 0; i < name.size();) {
    const auto length = utf8Length(name, i);
    if (isUpper(decode(name, i, length))) throw invalid(name, "must be lowercase");
    i += length;
  }
}

void validateIndexPattern(std::string_view pattern) {
  checkBytes(pattern, true);
  checkLength(pattern);
}

std::string printableName(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto length = isControl(text[i]) ? 0 : utf8Length(text, i);
    if (length == 0) {
      const auto byte = static_cast<std::uint8_t>(text[i]);
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace orrery::data
