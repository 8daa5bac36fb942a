// The message of a captured exception, for logs and status: plugin code may throw
// anything, and the host must describe it without letting it escape.
#pragma once

#include <exception>
#include <string>

namespace orrery::plugins {

inline std::string exceptionText(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace orrery::plugins
