// libFuzzer target for index names: the bytes as a name (URL segment, bulk action line,
// `_index`) and as a pattern. Any bytes must be accepted or refused with
// invalid_index_name_exception, never crash; and what is accepted must keep the promises
// the engine relies on (index_name.hpp): a name never holds a path separator, a control
// byte or bytes that are not UTF-8, and is never "." or "..". printableName's output must
// itself be printable. A broken promise aborts, so libFuzzer reports it as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "errors.hpp"
#include "index_name.hpp"

namespace {

bool validUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t point = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, point = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      point = (point << 6) | (next & 0x3F);
    }
    // Shortest form only, no surrogates, nothing past U+10FFFF.
    static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < kMinimum[length] || (point >= 0xD800 && point <= 0xDFFF) || point > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

bool printable(std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return validUtf8(text);
}

void require(bool promise) {
  if (!promise) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orrery::data;
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  require(printable(printableName(name)));
  try {
    validateIndexName(name);
    require(!name.empty() && name.size() <= kMaxIndexNameBytes);
    require(name != "." && name != "..");
    require(name.find('/') == std::string_view::npos && name.find('\\') == std::string_view::npos);
    require(printable(name));
  } catch (const EngineError& error) {
    require(error.status() == 400 && error.type() == "invalid_index_name_exception");
    require(printable(error.cause().dump()));
  }
  try {
    validateIndexPattern(name);
    require(name.size() <= kMaxIndexNameBytes && printable(name));
    require(name.find('/') == std::string_view::npos);
  } catch (const EngineError& error) {
    require(error.status() == 400);
  }
  return 0;
}
