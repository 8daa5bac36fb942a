// The host's own configuration, read-only, for preboot plugins that set the host up (the
// first-run setup page decides whether it is needed, and saves the operator's answers
// into the file the host reads on its config reload).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace orrery {

class HostConfig {
 public:
  virtual ~HostConfig() = default;

  // The config file the host reads at start and again on a reload: the one given with
  // --config, or the default place (config/orrery.yml under the host's working folder,
  // which may not exist yet). Absolute.
  virtual const std::filesystem::path& file() const = 0;

  // Whether a dotted key (e.g. "data.local.path") is set, in the file or by --set, to
  // something other than null, "" or an empty list or map.
  virtual bool isSet(std::string_view key) const = 0;

  // A scalar key's value as text (after --set overrides), or nullopt when the key is
  // absent or not a scalar.
  virtual std::optional<std::string> text(std::string_view key) const = 0;
};

}  // namespace orrery
