#include "core/config/value_format.hpp"

#include "core/config/units.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>

namespace orrery::config {
namespace {

constexpr std::size_t kMaxShown = 60;

bool isInt64(double value) {
  return std::isfinite(value) && value == std::trunc(value) && value >= -9223372036854775808.0 &&
         value < 9223372036854775808.0;
}

}  // namespace

std::string describeForm(orrery::ConfigType type) {
  switch (type) {
    case orrery::ConfigType::boolean: return "true or false";
    case orrery::ConfigType::integer: return "an integer";
    case orrery::ConfigType::number: return "a number";
    case orrery::ConfigType::string: return "a string";
    case orrery::ConfigType::duration: return "a duration such as 500ms, 5s, 5m, 7d";
    case orrery::ConfigType::bytes: return "a byte size such as 512b, 64kb, 10mb, 1gb";
    case orrery::ConfigType::stringList: return "a list of strings";
    case orrery::ConfigType::stringMap: return "a map of strings";
  }
  return "a value";
}

std::string describeNoun(orrery::ConfigType type) {
  switch (type) {
    case orrery::ConfigType::duration: return "a duration";
    case orrery::ConfigType::bytes: return "a byte size";
    default: return describeForm(type);
  }
}

std::string typeName(orrery::ConfigType type) {
  switch (type) {
    case orrery::ConfigType::boolean: return "boolean";
    case orrery::ConfigType::integer: return "integer";
    case orrery::ConfigType::number: return "number";
    case orrery::ConfigType::string: return "string";
    case orrery::ConfigType::duration: return "duration";
    case orrery::ConfigType::bytes: return "bytes";
    case orrery::ConfigType::stringList: return "stringList";
    case orrery::ConfigType::stringMap: return "stringMap";
  }
  return "unknown type " + std::to_string(static_cast<int>(type));
}

std::string formatLimit(orrery::ConfigType type, double value) {
  if (!isInt64(value)) return nlohmann::json(value).dump();
  const auto whole = static_cast<std::int64_t>(value);
  if (type == orrery::ConfigType::duration) return formatDuration(std::chrono::milliseconds(whole));
  if (type == orrery::ConfigType::bytes) return formatBytes(whole);
  return std::to_string(whole);
}

std::string describeRange(const orrery::ConfigField& field) {
  if (field.min && field.max) {
    return "between " + formatLimit(field.type, *field.min) + " and " + formatLimit(field.type, *field.max);
  }
  if (field.min) return "of at least " + formatLimit(field.type, *field.min);
  if (field.max) return "of at most " + formatLimit(field.type, *field.max);
  return {};
}

std::string describeOneOf(const std::vector<std::string>& allowed) { return "one of: " + joinList(allowed); }

std::string describeValue(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() <= kMaxShown) return text;
  std::size_t cut = kMaxShown - 3;
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace orrery::config
