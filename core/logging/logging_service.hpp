// The host's logging: named loggers (`host`, `plugins`, `plugins.<id>`, ...), a level per
// logger from `logging.loggers` (the longest matching name prefix wins, else
// `logging.level`), text or JSON-lines output to stdout or a file. Reconfigurable while
// running (config reload after preboot).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "orrery/logger.hpp"

namespace orrery::logging {

enum class LogFormat { text, json };

struct LoggingSettings {
  orrery::LogLevel level = orrery::LogLevel::info;
  LogFormat format = LogFormat::text;
  std::optional<std::string> file;               // stdout when absent
  std::map<std::string, std::string> loggers;    // logger name prefix -> level name
};

class HostLogger;

class LoggingService {
 public:
  LoggingService();
  ~LoggingService();
  LoggingService(const LoggingService&) = delete;
  LoggingService& operator=(const LoggingService&) = delete;

  // Throws std::runtime_error naming the file if it cannot be opened. Loggers already
  // handed out follow the new settings.
  void configure(const LoggingSettings& settings);

  // The logger with this name; created on first use, lives as long as the service.
  orrery::Logger& get(std::string_view name);

  void flush();

  // Used by HostLogger.
  void write(const struct LogRecord& record);
  orrery::LogLevel levelFor(std::string_view name) const;

 private:
  struct Output;
  mutable std::mutex mutex_;
  LoggingSettings settings_;
  std::shared_ptr<Output> output_;
  std::map<std::string, std::unique_ptr<HostLogger>, std::less<>> loggers_;
};

}  // namespace orrery::logging
