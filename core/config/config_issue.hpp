// One problem found in the operator's configuration, named by its full dotted key.
#pragma once

#include <string>

namespace orrery::config {

struct ConfigIssue {
  std::string key;      // full dotted path, section included: `task_manager.poll_interval`
  std::string message;  // what was expected and what was found

  friend bool operator==(const ConfigIssue&, const ConfigIssue&) = default;
};

}  // namespace orrery::config
