#include "core/bootstrap/plugin_plan.hpp"

#include "core/bootstrap/exit_codes.hpp"
#include "core/bootstrap/startup_error.hpp"
#include "core/plugins/discovery.hpp"

namespace orrery::bootstrap {

std::unique_ptr<plugins::PluginGraph> planPlugins(const std::vector<std::filesystem::path>& folders,
                                                  const std::set<std::string>& disabledInConfig) {
  auto discovered = plugins::discover(folders);
  std::string problems;
  for (const auto& error : discovered.errors) problems += "\n  " + error.text();
  auto built = plugins::PluginGraph::build(std::move(discovered.manifests), disabledInConfig);
  if (auto* errors = std::get_if<std::vector<plugins::GraphError>>(&built)) {
    for (const auto& error : *errors) problems += "\n  " + error.message;
  }
  if (!problems.empty()) {
    throw StartupError(kExitConfig, "cannot start: invalid plugins:" + problems);
  }
  return std::make_unique<plugins::PluginGraph>(std::get<plugins::PluginGraph>(std::move(built)));
}

}  // namespace orrery::bootstrap
