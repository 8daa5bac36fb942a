// A reason the host cannot start (or go on starting), with the exit code it ends with.
#pragma once

#include <stdexcept>
#include <string>

namespace orrery::bootstrap {

class StartupError : public std::runtime_error {
 public:
  StartupError(int exitCode, const std::string& message) : std::runtime_error(message), exitCode_(exitCode) {}
  int exitCode() const { return exitCode_; }

 private:
  int exitCode_;
};

}  // namespace orrery::bootstrap
