// Small helpers shared by the HTTP routing tests: driving a Task to its end, a Logger
// that records lines, an Authenticator with fixed answers, and handlers.
#pragma once

#include <doctest/doctest.h>

#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <orrery/http.hpp>
#include <orrery/logger.hpp>
#include <orrery/task.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::http_test {

// Runs `task` through startTask. The tasks of these tests never suspend, so `done` has run
// when startTask returns; the REQUIRE turns a task left hanging into a failure.
template <class T>
T run(Task<T> task) {
  bool finished = false;
  std::exception_ptr error;
  std::optional<T> result;
  startTask(std::move(task), [&](std::exception_ptr e, std::optional<T> value) noexcept {
    finished = true;
    error = e;
    result = std::move(value);
  });
  REQUIRE_MESSAGE(finished, "the task did not finish inside startTask");
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline void run(Task<void> task) {
  bool finished = false;
  std::exception_ptr error;
  startTask(std::move(task), [&](std::exception_ptr e) noexcept {
    finished = true;
    error = e;
  });
  REQUIRE_MESSAGE(finished, "the task did not finish inside startTask");
  if (error) std::rethrow_exception(error);
}

class RecordingLogger final : public Logger {
 public:
  struct Record {
    LogLevel level;
    std::string message;
    LogFields fields;
  };

  explicit RecordingLogger(std::string name = "http") : name_(std::move(name)) {}

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

// Answers every request with the same result; counts how often it was asked.
class FixedAuthenticator final : public http::Authenticator {
 public:
  explicit FixedAuthenticator(http::AuthResult result, std::vector<std::string> challenges = {})
      : result_(std::move(result)), challenges_(std::move(challenges)) {}

  Task<http::AuthResult> authenticate(const http::Request&) override {
    ++calls;
    co_return result_;
  }
  std::vector<std::string> challenges() const override { return challenges_; }

  int calls = 0;

 private:
  http::AuthResult result_;
  std::vector<std::string> challenges_;
};

inline http::User user(std::string name) {
  return http::User{std::move(name), "", {"admin"}, "basic", ""};
}

// A handler answering 200 with `body`.
inline http::Handler replying(std::string body) {
  return [body = std::move(body)](http::Request&) -> Task<http::Response> {
    co_return http::Response::text(200, body);
  };
}

// The values of every header named `name`, in order.
inline std::vector<std::string> headerValues(const http::Headers& headers, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers.all()) {
    if (http::equalsIgnoreCase(key, name)) values.push_back(value);
  }
  return values;
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace orrery::http_test
