// Where plugin manifests are looked for: the bundled folder next to the binary, then
// `plugins.paths` from config, then `--plugin-path` from the command line.
#pragma once

#include <filesystem>
#include <vector>

#include "core/bootstrap/core_settings.hpp"

namespace orrery::bootstrap {

// `<folder of the orrery binary>/manifests` in a build tree, else
// `<prefix>/<libdir>/orrery/manifests` when installed; empty if neither exists.
std::filesystem::path bundledManifestFolder();

std::vector<std::filesystem::path> pluginFolders(const Options& options, const CoreSettings& core);

}  // namespace orrery::bootstrap
