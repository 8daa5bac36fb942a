#include "core/logging/logging_service.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <stdexcept>

#include "core/logging/host_logger.hpp"
#include "core/logging/log_record.hpp"

namespace orrery::logging {

// Where lines go: an spdlog sink (thread-safe, whole lines) that writes our formatted
// line as is.
struct LoggingService::Output {
  std::shared_ptr<spdlog::sinks::sink> sink;
  LogFormat format = LogFormat::text;
};

namespace {
std::shared_ptr<spdlog::sinks::sink> makeSink(const std::optional<std::string>& file) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (file) {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*file);
    } catch (const spdlog::spdlog_ex& e) {
      throw std::runtime_error("cannot open log file " + *file + ": " + e.what());
    }
  } else {
    sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  }
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  return sink;
}
}  // namespace

LoggingService::LoggingService() : output_(std::make_shared<Output>(Output{makeSink(std::nullopt), LogFormat::text})) {}

LoggingService::~LoggingService() { flush(); }

void LoggingService::configure(const LoggingSettings& settings) {
  auto output = std::make_shared<Output>(Output{makeSink(settings.file), settings.format});
  std::lock_guard lock(mutex_);
  settings_ = settings;
  output_ = std::move(output);
  for (auto& [name, logger] : loggers_) logger->setLevel(levelFor(name));
}

orrery::Logger& LoggingService::get(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = loggers_.find(name);
  if (it == loggers_.end()) {
    it = loggers_.emplace(std::string(name), std::make_unique<HostLogger>(*this, std::string(name))).first;
  }
  return *it->second;
}

orrery::LogLevel LoggingService::levelFor(std::string_view name) const {
  // Called with mutex_ held or during construction of a logger under it.
  std::size_t bestLength = 0;
  orrery::LogLevel level = settings_.level;
  for (const auto& [prefix, levelName] : settings_.loggers) {
    const bool matches = name == prefix || (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix &&
                                            name[prefix.size()] == '.');
    if (matches && prefix.size() >= bestLength) {
      if (auto parsed = parseLevel(levelName)) {
        bestLength = prefix.size();
        level = *parsed;
      }
    }
  }
  return level;
}

void LoggingService::write(const LogRecord& record) {
  std::shared_ptr<Output> output;
  {
    std::lock_guard lock(mutex_);
    output = output_;
  }
  const std::string line = output->format == LogFormat::json ? formatJson(record) : formatText(record);
  spdlog::details::log_msg message(spdlog::string_view_t(record.logger.data(), record.logger.size()),
                                   spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
  output->sink->log(message);
  // Operators tail these logs and tests read them line by line: no lines held back.
  output->sink->flush();
}

void LoggingService::flush() {
  std::lock_guard lock(mutex_);
  output_->sink->flush();
}

}  // namespace orrery::logging
