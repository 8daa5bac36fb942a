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

#include "tests/support/finish_task.hpp"
#include "tests/support/recording_logger.hpp"

namespace orrery::http_test {

// The tasks of these tests never suspend: they finish inside startTask.
template <class T>
T run(Task<T> task) {
  return orrery::test::finishTask(std::move(task));
}

using RecordingLogger = orrery::test::RecordingLogger;

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
