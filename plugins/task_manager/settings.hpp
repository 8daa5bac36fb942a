// The `task_manager.*` config section.
#pragma once

#include <orrery/config.hpp>

#include "task_engine.hpp"

namespace orrery::task_manager {

void describeSettings(ConfigSchema& schema);
// `ownerId` defaults to "<hostname>:<pid>", unique among hosts sharing one store.
EngineSettings readSettings(const PluginConfig& config);

}  // namespace orrery::task_manager
