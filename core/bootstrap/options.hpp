// The host's command line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace orrery::bootstrap {

struct Options {
  std::optional<std::filesystem::path> configFile;  // --config; default config/orrery.yml
  std::vector<std::string> sets;                    // --set key=value, in order
  std::vector<std::filesystem::path> pluginPaths;   // --plugin-path, after plugins.paths
  bool listPlugins = false;
};

// Help and version are printed by the parser; the host then exits with this code.
struct ExitNow {
  int code;
};

std::variant<Options, ExitNow> parseCommandLine(int argc, char** argv);

}  // namespace orrery::bootstrap
