#include "core/bootstrap/options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/bootstrap/exit_codes.hpp"
#include "orrery/version.hpp"

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "unknown"
#endif

namespace orrery::bootstrap {

std::variant<Options, ExitNow> parseCommandLine(int argc, char** argv) {
  Options options;
  CLI::App app{"Orrery: a plugin host. Loads the plugins named by manifests and runs them through\n"
               "preboot, setup, start and stop; stops cleanly on SIGINT or SIGTERM.",
               "orrery"};
  app.set_version_flag("--version",
                       std::string("orrery ") + ORRERY_VERSION + " (plugin SDK " + orrery::kSdkVersion +
                           ", ABI " + orrery::kAbiTag + ")");
  app.footer("Users of the security plugin: orrery users add NAME | passwd NAME | remove NAME | list\n"
             "  (see `orrery users --help`).");
  std::string config;
  app.add_option("-c,--config", config, "YAML config file (default: config/orrery.yml)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-s,--set", options.sets, "Override a config key, e.g. --set logging.level=debug (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  std::vector<std::string> pluginPaths;
  app.add_option("-p,--plugin-path", pluginPaths, "Another folder of plugin manifests (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--list-plugins", options.listPlugins,
               "Print every discovered plugin in start order, with its type, version and whether it is "
               "enabled (and why not), then exit without starting anything");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return ExitNow{app.exit(e)};
  } catch (const CLI::CallForVersion& e) {
    return ExitNow{app.exit(e)};
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return ExitNow{kExitUsage};
  }
  if (!config.empty()) options.configFile = config;
  for (auto& path : pluginPaths) options.pluginPaths.emplace_back(path);
  return options;
}

}  // namespace orrery::bootstrap
