#include "core/bootstrap/plugin_folders.hpp"

#include <system_error>

namespace orrery::bootstrap {

std::filesystem::path bundledManifestFolder() {
  std::error_code ec;
  const auto binary = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  // Beside the binary in a build tree; where meson installs them otherwise.
  const std::filesystem::path installed = ORRERY_INSTALLED_MANIFESTS;
  for (const auto& candidate : {binary.parent_path() / "manifests", installed}) {
    if (std::filesystem::is_directory(candidate, ec)) return candidate;
  }
  return {};
}

std::vector<std::filesystem::path> pluginFolders(const Options& options, const CoreSettings& core) {
  std::vector<std::filesystem::path> folders;
  if (auto bundled = bundledManifestFolder(); !bundled.empty()) folders.push_back(bundled);
  folders.insert(folders.end(), core.pluginPaths.begin(), core.pluginPaths.end());
  folders.insert(folders.end(), options.pluginPaths.begin(), options.pluginPaths.end());
  return folders;
}

}  // namespace orrery::bootstrap
