// The error for configuration text that cannot be read: where it is and what is wrong.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace orrery::config {

// what() reads `<source>:<line>:<column>: <problem>` (1-based), or `<source>: <problem>`
// when no position applies (a missing file), so editors and terminals can jump to it.
class ConfigFileError : public std::runtime_error {
 public:
  ConfigFileError(std::string source, std::string problem)
      : std::runtime_error(source + ": " + problem), source_(std::move(source)), problem_(std::move(problem)) {}
  ConfigFileError(std::string source, int line, int column, std::string problem)
      : std::runtime_error(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + problem),
        source_(std::move(source)),
        problem_(std::move(problem)),
        line_(line),
        column_(column) {}

  const std::string& source() const { return source_; }
  const std::string& problem() const { return problem_; }
  int line() const { return line_; }      // 0 when unknown
  int column() const { return column_; }  // 0 when unknown

 private:
  std::string source_;
  std::string problem_;
  int line_ = 0;
  int column_ = 0;
};

}  // namespace orrery::config
