// Status a plugin reports about itself.
//
// The host combines each plugin's own level with its dependencies' (a plugin whose
// dependency is not available is at best degraded) into the overall status that
// `/api/status` serves.
#pragma once

#include <string>
#include <string_view>

namespace orrery {

enum class ServiceLevel { available, degraded, unavailable };

inline std::string_view toString(ServiceLevel level) {
  switch (level) {
    case ServiceLevel::available: return "available";
    case ServiceLevel::degraded: return "degraded";
    case ServiceLevel::unavailable: return "unavailable";
  }
  return "unavailable";
}

class StatusReporter {
 public:
  virtual ~StatusReporter() = default;
  // Thread-safe; may be called at any time from setup until stop returns.
  virtual void report(ServiceLevel level, std::string summary) = 0;
};

}  // namespace orrery
