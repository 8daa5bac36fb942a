// The core `plugins` section: its own settings plus one `enabled` switch per plugin id.
#pragma once

#include "core/config/schema_validator.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::config {

inline constexpr std::string_view kPluginsSection = "plugins";

// Keys whose first segment starts a field of `schema` (`paths`, `lifecycle`) are checked
// against it; `<id>` for an id in `pluginIds` must be a map allowing only `enabled: <bool>`
// and appears in the result as {"<id>": {"enabled": ..}}; anything else is an unknown plugin.
ValidatedSection validatePluginsSection(const std::vector<SectionPiece>& pieces, const orrery::ConfigSchema& schema,
                                        const std::set<std::string>& pluginIds);

}  // namespace orrery::config
