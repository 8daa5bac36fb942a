#include "core/logging/log_record.hpp"

#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace orrery::logging {

namespace {

std::string isoTime(std::chrono::system_clock::time_point time) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis % 1000);
}

// Quotes a text-mode field value only when it would otherwise be ambiguous.
std::string textValue(std::string_view value) {
  if (!value.empty() && value.find_first_of(" \"=\t\n") == std::string_view::npos) {
    return std::string(value);
  }
  // Invalid UTF-8 is replaced, never thrown: a log call must not fail on a plugin's bytes.
  return nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string_view levelName(orrery::LogLevel level) {
  switch (level) {
    case orrery::LogLevel::trace: return "trace";
    case orrery::LogLevel::debug: return "debug";
    case orrery::LogLevel::info: return "info";
    case orrery::LogLevel::warn: return "warn";
    case orrery::LogLevel::error: return "error";
    case orrery::LogLevel::critical: return "critical";
    case orrery::LogLevel::off: return "off";
  }
  return "info";
}

std::optional<orrery::LogLevel> parseLevel(std::string_view name) {
  for (auto level : {orrery::LogLevel::trace, orrery::LogLevel::debug, orrery::LogLevel::info,
                     orrery::LogLevel::warn, orrery::LogLevel::error, orrery::LogLevel::critical,
                     orrery::LogLevel::off}) {
    if (levelName(level) == name) return level;
  }
  return std::nullopt;
}

std::string formatText(const LogRecord& record) {
  std::string line = fmt::format("{} {:<8} [{}] {}", isoTime(record.time), levelName(record.level),
                                 record.logger, record.message);
  for (const auto& [key, value] : record.fields) {
    line += fmt::format(" {}={}", key, textValue(value));
  }
  return line;
}

std::string formatJson(const LogRecord& record) {
  nlohmann::ordered_json line;
  line["@timestamp"] = isoTime(record.time);
  line["log.level"] = levelName(record.level);
  line["log.logger"] = record.logger;
  line["message"] = record.message;
  for (const auto& [key, value] : record.fields) {
    // A field never overwrites the record's own keys.
    if (!line.contains(key)) line[key] = value;
  }
  // Invalid UTF-8 from a plugin must not turn a log call into an exception.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace orrery::logging
