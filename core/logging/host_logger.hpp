// The host's implementation of the SDK Logger: a name and a cached level, writing through
// the LoggingService.
#pragma once

#include <atomic>
#include <string>

#include "orrery/logger.hpp"

namespace orrery::logging {

class LoggingService;

class HostLogger final : public orrery::Logger {
 public:
  HostLogger(LoggingService& service, std::string name);

  bool enabled(orrery::LogLevel level) const override;
  void log(orrery::LogLevel level, std::string_view message, const orrery::LogFields& fields) override;
  orrery::Logger& child(std::string_view suffix) override;
  const std::string& name() const override { return name_; }

  void setLevel(orrery::LogLevel level) { level_.store(level, std::memory_order_relaxed); }

 private:
  LoggingService& service_;
  std::string name_;
  std::atomic<orrery::LogLevel> level_;
};

}  // namespace orrery::logging
