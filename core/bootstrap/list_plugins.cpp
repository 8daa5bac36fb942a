#include "core/bootstrap/list_plugins.hpp"

#include <fmt/format.h>
#include <ostream>

#include "core/bootstrap/core_settings.hpp"
#include "core/bootstrap/exit_codes.hpp"
#include "core/bootstrap/plugin_folders.hpp"
#include "core/bootstrap/plugin_plan.hpp"
#include "core/bootstrap/startup_error.hpp"
#include "core/plugins/loader.hpp"

namespace orrery::bootstrap {

int listPlugins(const Options& options, std::ostream& out, std::ostream& err) {
  try {
    const auto config = loadConfig(options);
    auto graph = planPlugins(pluginFolders(options, config.core), config.disabledPlugins);
    std::size_t width = 2;
    for (const auto& entry : graph->entries()) width = std::max(width, entry.manifest.id.size());
    out << fmt::format("{:<{}}  {:<8}  {:<10}  {}\n", "ID", width, "TYPE", "VERSION", "STATE");
    for (const auto& entry : graph->entries()) {
      const auto& manifest = entry.manifest;
      std::string state = entry.enabled() ? "enabled" : entry.reason;
      if (entry.enabled()) {
        // A library that cannot load would fail at start: say so now, and what follows.
        auto loaded = plugins::loadLibrary(manifest);
        if (auto* error = std::get_if<plugins::LoadError>(&loaded)) {
          state = "fails to load: " + error->message;
          graph->markFailed(manifest.id, error->message);
        }
      }
      out << fmt::format("{:<{}}  {:<8}  {:<10}  {}\n", manifest.id, width, plugins::pluginTypeName(manifest.type),
                         manifest.version.toString(), state);
    }
    return kExitOk;
  } catch (const StartupError& e) {
    err << "orrery: " << e.what() << "\n";
    return e.exitCode();
  }
}

}  // namespace orrery::bootstrap
