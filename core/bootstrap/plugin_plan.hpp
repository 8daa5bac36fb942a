// Discovery and dependency resolution, before anything is loaded: which plugins exist,
// in what order they start, and which are disabled and why.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/plugins/graph.hpp"

namespace orrery::bootstrap {

// Throws StartupError(78) listing every invalid manifest, missing folder, duplicate id,
// cycle and cross-type dependency at once, so an operator fixes them in one pass.
std::unique_ptr<plugins::PluginGraph> planPlugins(const std::vector<std::filesystem::path>& folders,
                                                  const std::set<std::string>& disabledInConfig);

}  // namespace orrery::bootstrap
