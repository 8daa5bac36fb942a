// The start-up checks PluginGraph::build runs over the plugin set as a whole: duplicate
// ids, clashing config sections, preboot/standard mixing and dependency cycles. Each
// returns all it finds, with messages naming the plugins and their manifest files.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/plugins/graph.hpp"
#include "core/plugins/manifest.hpp"

namespace orrery::plugins::graph_checks {

// The plugins by id, each id's first manifest only; sorted, so checks are deterministic.
using ById = std::map<std::string, const Manifest*, std::less<>>;

std::vector<GraphError> duplicateIds(const std::vector<Manifest>& manifests);
std::vector<GraphError> configPathClashes(const ById& plugins);
std::vector<GraphError> typeMismatches(const ById& plugins);
std::vector<GraphError> cycles(const ById& plugins);

// Discovered dependencies of one plugin, required then optional, as declared.
std::vector<const Manifest*> presentDependencies(const Manifest& plugin, const ById& plugins);

}  // namespace orrery::plugins::graph_checks
