#include "core/logging/host_logger.hpp"

#include "core/logging/log_record.hpp"
#include "core/logging/logging_service.hpp"

namespace orrery::logging {

HostLogger::HostLogger(LoggingService& service, std::string name)
    : service_(service), name_(std::move(name)), level_(service.levelFor(name_)) {}

bool HostLogger::enabled(orrery::LogLevel level) const {
  const auto threshold = level_.load(std::memory_order_relaxed);
  return level != orrery::LogLevel::off && threshold != orrery::LogLevel::off && level >= threshold;
}

void HostLogger::log(orrery::LogLevel level, std::string_view message, const orrery::LogFields& fields) {
  if (!enabled(level)) return;
  service_.write(LogRecord{std::chrono::system_clock::now(), level, name_, message, fields});
}

orrery::Logger& HostLogger::child(std::string_view suffix) { return service_.get(name_ + "." + std::string(suffix)); }

}  // namespace orrery::logging
