// Reads the operator's configuration file and applies `--set` overrides: the raw tree.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orrery::config {

// Where the host looks when the operator names no file (relative to the working folder).
inline const std::filesystem::path kDefaultConfigFile = "config/orrery.yml";

struct RawConfig {
  nlohmann::json tree = nlohmann::json::object();  // always a map
  std::optional<std::filesystem::path> file;       // the file read, if any
  bool usedDefaults = false;                       // no file given and none at the default place
};

// `file` given: it must exist (ConfigFileError otherwise). Not given: `defaultFile` is
// read if it exists, else the tree starts empty and usedDefaults is set. The file's top
// level must be a map (or empty). Then each `--set` applies in order (OverrideError).
RawConfig loadRaw(std::optional<std::filesystem::path> file, const std::vector<std::string>& sets,
                  const std::filesystem::path& defaultFile = kDefaultConfigFile);

}  // namespace orrery::config
