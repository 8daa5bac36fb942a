// A Logger that keeps what it was told, for assertions on warnings and errors. Shared by
// the unit tests of every component that logs.
#pragma once

#include <map>
#include <memory>
#include <orrery/logger.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::test {

class RecordingLogger final : public Logger {
 public:
  struct Record {
    LogLevel level;
    std::string message;
    LogFields fields;
  };

  explicit RecordingLogger(std::string name = "test") : name_(std::move(name)) {}

  bool enabled(LogLevel) const override { return true; }
  void log(LogLevel level, std::string_view message, const LogFields& fields) override {
    records.push_back({level, std::string(message), fields});
  }
  Logger& child(std::string_view suffix) override {
    auto& slot = children_[std::string(suffix)];
    if (!slot) slot = std::make_unique<RecordingLogger>(name_ + "." + std::string(suffix));
    return *slot;
  }
  const std::string& name() const override { return name_; }

  // Whether a record at `level` contains `text`.
  bool has(LogLevel level, std::string_view text) const {
    for (const auto& record : records) {
      if (record.level == level && record.message.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<Record> records;

 private:
  std::string name_;
  std::map<std::string, std::unique_ptr<RecordingLogger>> children_;
};

}  // namespace orrery::test
