// `orrery --list-plugins`: every discovered plugin in start order, with its type, version
// and whether it would run (and why not) — without running any plugin code beyond
// loading each library to check its ABI.
#pragma once

#include <iosfwd>

#include "core/bootstrap/options.hpp"

namespace orrery::bootstrap {

// Returns the exit code: 0, or 78 when config or manifests are invalid.
int listPlugins(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace orrery::bootstrap
