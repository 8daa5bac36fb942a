// Structured logging for plugins.
//
// Each plugin gets its own logger named `plugins.<id>`; its level and the output format
// (text or JSON lines) come from the operator's `logging.*` config.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery {

enum class LogLevel { trace, debug, info, warn, error, critical, off };

// Key/value pairs attached to one record; JSON output keeps them as fields.
using LogFields = std::vector<std::pair<std::string, std::string>>;

class Logger {
 public:
  virtual ~Logger() = default;

  virtual bool enabled(LogLevel level) const = 0;
  virtual void log(LogLevel level, std::string_view message, const LogFields& fields) = 0;
  // A logger named `<this name>.<suffix>`, with its own configurable level.
  virtual Logger& child(std::string_view suffix) = 0;
  virtual const std::string& name() const = 0;

  void trace(std::string_view m, const LogFields& f = {}) { log(LogLevel::trace, m, f); }
  void debug(std::string_view m, const LogFields& f = {}) { log(LogLevel::debug, m, f); }
  void info(std::string_view m, const LogFields& f = {}) { log(LogLevel::info, m, f); }
  void warn(std::string_view m, const LogFields& f = {}) { log(LogLevel::warn, m, f); }
  void error(std::string_view m, const LogFields& f = {}) { log(LogLevel::error, m, f); }
  void critical(std::string_view m, const LogFields& f = {}) { log(LogLevel::critical, m, f); }
};

}  // namespace orrery
