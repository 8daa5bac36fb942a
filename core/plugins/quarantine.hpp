// Where the host puts what belongs to a plugin whose lifecycle call overran its deadline.
//
// That plugin's thread may still be running its code, so its objects must never be
// destroyed and its library never unloaded. They are kept, reachable, until the process
// ends (the host then exits without running destructors; see bootstrap/exit.hpp).
#pragma once

#include <cstddef>
#include <memory>

#include "orrery/plugin.hpp"

namespace orrery::plugins {

class PluginRuntime;

void quarantine(std::shared_ptr<orrery::Plugin> standard, std::shared_ptr<orrery::PrebootPlugin> preboot,
                std::shared_ptr<PluginRuntime> runtime, std::shared_ptr<void> library);

// How many plugins are in quarantine.
std::size_t quarantined();

}  // namespace orrery::plugins
