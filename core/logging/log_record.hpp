// One log record and its two renderings: a readable text line and a JSON line (ECS-style
// field names, so log shippers need no mapping).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "orrery/logger.hpp"

namespace orrery::logging {

struct LogRecord {
  std::chrono::system_clock::time_point time;
  orrery::LogLevel level;
  std::string_view logger;
  std::string_view message;
  const orrery::LogFields& fields;
};

std::string_view levelName(orrery::LogLevel level);
// Parses a level name as written in config (`trace` ... `off`); nullopt for anything else.
std::optional<orrery::LogLevel> parseLevel(std::string_view name);

std::string formatText(const LogRecord& record);
std::string formatJson(const LogRecord& record);

}  // namespace orrery::logging
