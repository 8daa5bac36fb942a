#include "json_params.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace orrery::data {
namespace {

using json = nlohmann::json;

std::string shown(const json& v) {
  std::string text = v.is_string() ? v.get_ref<const std::string&>() : v.dump();
  if (text.size() > 64) text = text.substr(0, 64) + "...";
  return text;
}

// The number in `v` if it is one (or a string holding one).
std::optional<double> numeric(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  double out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

std::int64_t readIntegerIn(const json& v, std::string_view where, std::string_view field, std::int64_t min,
                           std::int64_t max, const char* javaType) {
  const auto outOfRange = [&] {
    return fieldParseError(where, field,
                           "Numeric value (" + shown(v) + ") out of range of " + javaType + " (" + std::to_string(min) +
                               " - " + std::to_string(max) + ")");
  };
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(max)) throw outOfRange();
    return static_cast<std::int64_t>(n);
  }
  if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    if (n < min || n > max) throw outOfRange();
    return n;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) {
      if (n < min || n > max) throw outOfRange();
      return n;
    }
    if (ec == std::errc::result_out_of_range) throw outOfRange();
  }
  const auto d = numeric(v);
  if (!d) {
    throw fieldParseError(where, field, "expected an integer but found [" + std::string(jsonTokenName(v)) +
                                            (v.is_string() ? "] [" + shown(v) + "]" : "]"));
  }
  // Compared as doubles before the conversion: converting an out-of-range double is undefined.
  if (!std::isfinite(*d) || *d < static_cast<double>(min) || *d >= static_cast<double>(max) + 1.0) throw outOfRange();
  return static_cast<std::int64_t>(std::trunc(*d));
}

}  // namespace

EngineError fieldParseError(std::string_view where, std::string_view field, const std::string& why) {
  std::string reason = "[";
  reason.append(where).append("] failed to parse field [").append(field).append("]");
  return EngineError(400, "x_content_parse_exception", reason,
                     {{"caused_by", {{"type", "illegal_argument_exception"}, {"reason", why}}}});
}

std::int32_t readInt(const json& v, std::string_view where, std::string_view field) {
  return static_cast<std::int32_t>(readIntegerIn(v, where, field, std::numeric_limits<std::int32_t>::min(),
                                                 std::numeric_limits<std::int32_t>::max(), "int"));
}

std::int64_t readLong(const json& v, std::string_view where, std::string_view field) {
  return readIntegerIn(v, where, field, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
                       "long");
}

double readDouble(const json& v, std::string_view where, std::string_view field) {
  const auto d = numeric(v);
  if (!d || !std::isfinite(*d)) {
    throw fieldParseError(where, field, "expected a number but found [" + std::string(jsonTokenName(v)) +
                                            (v.is_string() ? "] [" + shown(v) + "]" : "]"));
  }
  return *d;
}

bool readBoolean(const json& v, std::string_view where, std::string_view field) {
  if (v.is_boolean()) return v.get<bool>();
  if (v == "true") return true;
  if (v == "false") return false;
  throw fieldParseError(where, field, "Failed to parse value [" + shown(v) + "] as only [true] or [false] are allowed.");
}

std::string readText(const json& v, std::string_view where, std::string_view field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  throw fieldParseError(where, field, "expected a string but found [" + std::string(jsonTokenName(v)) + "]");
}

EngineError jsonValueError(const json::exception& error) {
  // nlohmann's message is "[json.exception.type_error.302] type must be number, but is string".
  std::string why = error.what();
  if (const auto close = why.find("] "); why.starts_with("[json.exception.") && close != std::string::npos) {
    why = why.substr(close + 2);
  }
  return EngineError(400, "x_content_parse_exception", "failed to parse the request: a value has the wrong type (" + why + ")");
}

}  // namespace orrery::data
