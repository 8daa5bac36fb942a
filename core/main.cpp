// orrery: the plugin host's entry point.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string_view>

#include "core/bootstrap/exit_codes.hpp"
#include "core/bootstrap/file_limit.hpp"
#include "core/bootstrap/host.hpp"
#include "core/bootstrap/list_plugins.hpp"
#include "core/bootstrap/options.hpp"
#include "core/bootstrap/signals.hpp"
#include "core/bootstrap/users_command.hpp"
#include "core/plugins/quarantine.hpp"

namespace {
// The signal watcher outlives main's Host; it reaches the host only through this.
std::mutex hostMutex;
orrery::bootstrap::Host* runningHost = nullptr;

void stopRunningHost(int) {
  std::lock_guard lock(hostMutex);
  if (runningHost != nullptr) runningHost->requestStop();
}
}  // namespace

int main(int argc, char** argv) {
  using namespace orrery::bootstrap;
  if (argc > 1 && std::string_view(argv[1]) == "users") return runUsersCommand(argc, argv);
  auto parsed = parseCommandLine(argc, argv);
  if (auto* exitNow = std::get_if<ExitNow>(&parsed)) return exitNow->code;
  const auto& options = std::get<Options>(parsed);
  if (options.listPlugins) return listPlugins(options, std::cout, std::cerr);

  blockStopSignals();
  raiseOpenFileLimit();  // best effort: the host runs with the limit it has if refused
  int code = kExitSoftware;
  {
    Host host(options);
    {
      std::lock_guard lock(hostMutex);
      runningHost = &host;
    }
    watchStopSignals(stopRunningHost);
    try {
      code = host.run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "orrery: internal error: %s\n", e.what());
      code = kExitSoftware;
    }
    {
      std::lock_guard lock(hostMutex);
      runningHost = nullptr;
    }
    if (orrery::plugins::quarantined() > 0) {
      // A plugin thread is still inside a call that overran its deadline. Running
      // destructors now could free what that thread uses; end the process instead.
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(code);
    }
  }
  return code;
}
