// The host's own configuration sections: server, path, logging and plugins.
#pragma once

#include "core/config/config_check.hpp"

#include <orrery/config.hpp>

#include <string>
#include <utility>
#include <vector>

namespace orrery::config {

inline const std::vector<std::string> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};

// (section path, schema) for each core section, in a fresh vector.
std::vector<std::pair<std::string, orrery::ConfigSchema>> coreSchemas();

// SectionSpecs for the core sections, pointing at schemas that live for the whole run;
// the host appends one spec per plugin section and passes them all to checkConfig.
std::vector<SectionSpec> coreSectionSpecs();

}  // namespace orrery::config
