#include "core/plugins/graph.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "core/plugins/graph_checks.hpp"

namespace orrery::plugins {
namespace {

using graph_checks::ById;

// Kahn's algorithm over one plugin type, always taking the smallest ready id, so the
// order is a function of the manifests alone.
void appendInStartOrder(const ById& plugins, PluginType type, std::vector<const Manifest*>& out) {
  std::map<std::string, std::size_t> waitingOn;
  std::map<std::string, std::vector<std::string>> dependents;
  std::set<std::string> ready;
  for (const auto& [id, m] : plugins) {
    if (m->type != type) continue;
    std::set<std::string> deps;
    for (const Manifest* dep : graph_checks::presentDependencies(*m, plugins)) {
      if (dep->type == type) deps.insert(dep->id);
    }
    waitingOn[id] = deps.size();
    for (const std::string& dep : deps) dependents[dep].push_back(id);
    if (deps.empty()) ready.insert(id);
  }
  while (!ready.empty()) {
    const std::string id = *ready.begin();
    ready.erase(ready.begin());
    out.push_back(plugins.at(id));
    for (const std::string& dependent : dependents[id]) {
      if (--waitingOn[dependent] == 0) ready.insert(dependent);
    }
  }
}

std::string configKey(const std::string& id) { return "plugins." + id + ".enabled: false"; }

}  // namespace

PluginGraph::BuildResult PluginGraph::build(std::vector<Manifest> manifests,
                                            const std::set<std::string>& disabledInConfig) {
  std::vector<GraphError> errors = graph_checks::duplicateIds(manifests);
  ById plugins;
  for (const Manifest& m : manifests) plugins.emplace(m.id, &m);  // first of each id
  for (auto* check : {&graph_checks::configPathClashes, &graph_checks::typeMismatches,
                      &graph_checks::cycles}) {
    std::vector<GraphError> found = (*check)(plugins);
    std::move(found.begin(), found.end(), std::back_inserter(errors));
  }
  if (!errors.empty()) return errors;

  std::vector<const Manifest*> order;
  appendInStartOrder(plugins, PluginType::preboot, order);
  appendInStartOrder(plugins, PluginType::standard, order);

  PluginGraph graph;
  const std::size_t n = order.size();
  graph.entries_.reserve(n);
  graph.causes_.resize(n);
  graph.required_.resize(n);
  graph.optional_.resize(n);
  graph.dependents_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    graph.index_.emplace(order[i]->id, i);
    graph.entries_.push_back({*order[i], PluginState::enabled, {}});
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Manifest& m = graph.entries_[i].manifest;
    std::set<std::size_t> deps;
    for (const std::string& id : m.requiredPlugins) {
      if (const std::size_t dep = graph.indexOf(id); dep < n) {
        graph.required_[i].push_back(dep);
        deps.insert(dep);
      }
    }
    for (const std::string& id : m.optionalPlugins) {
      if (const std::size_t dep = graph.indexOf(id); dep < n) {
        graph.optional_[i].push_back(dep);
        deps.insert(dep);
      }
    }
    for (const std::size_t dep : deps) graph.dependents_[dep].push_back(i);
  }

  // Dependencies come first in start order, so one pass settles every chain.
  for (std::size_t i = 0; i < n; ++i) {
    PluginEntry& entry = graph.entries_[i];
    const std::string& id = entry.manifest.id;
    if (disabledInConfig.contains(id)) {
      entry.state = PluginState::disabled;
      entry.reason = id + " disabled: disabled in config (" + configKey(id) + ")";
      graph.causes_[i] = "is disabled in config (" + configKey(id) + ")";
      continue;
    }
    for (const std::string& depId : entry.manifest.requiredPlugins) {
      const std::size_t dep = graph.indexOf(depId);
      if (dep >= n) {
        graph.disable(i, "requires missing " + depId);
        break;
      }
      if (!graph.entries_[dep].enabled()) {
        graph.disable(i, "requires " + depId + ", which " + graph.causes_[dep]);
        break;
      }
    }
  }
  return graph;
}

std::size_t PluginGraph::indexOf(std::string_view id) const {
  const auto found = index_.find(id);
  return found == index_.end() ? entries_.size() : found->second;
}

void PluginGraph::disable(std::size_t index, std::string cause) {
  entries_[index].state = PluginState::disabled;
  entries_[index].reason = entries_[index].manifest.id + " disabled: " + cause;
  causes_[index] = std::move(cause);
}

const PluginEntry* PluginGraph::find(std::string_view id) const {
  const std::size_t index = indexOf(id);
  return index < entries_.size() ? &entries_[index] : nullptr;
}

bool PluginGraph::isEnabled(std::string_view id) const {
  const PluginEntry* entry = find(id);
  return entry != nullptr && entry->enabled();
}

std::vector<std::string> PluginGraph::requiredOf(std::string_view id) const {
  const PluginEntry* entry = find(id);
  return entry == nullptr ? std::vector<std::string>{} : entry->manifest.requiredPlugins;
}

std::vector<std::string> PluginGraph::optionalOf(std::string_view id) const {
  std::vector<std::string> ids;
  const std::size_t index = indexOf(id);
  if (index >= entries_.size()) return ids;
  for (const std::size_t dep : optional_[index]) ids.push_back(entries_[dep].manifest.id);
  return ids;
}

std::vector<std::string> PluginGraph::dependentsOf(std::string_view id) const {
  std::vector<std::string> ids;
  const std::size_t index = indexOf(id);
  if (index >= entries_.size()) return ids;
  for (const std::size_t dependent : dependents_[index]) {
    ids.push_back(entries_[dependent].manifest.id);
  }
  return ids;
}

std::vector<std::pair<std::string, std::string>> PluginGraph::markFailed(
    const std::string& id, const std::string& reason) {
  std::vector<std::pair<std::string, std::string>> disabled;
  const std::size_t index = indexOf(id);
  if (index >= entries_.size() || !entries_[index].enabled()) return disabled;
  entries_[index].state = PluginState::failed;
  entries_[index].reason = id + " failed: " + reason;
  causes_[index] = "failed: " + reason;
  // Only later entries can depend on it, and an enabled plugin had all its required
  // dependencies enabled, so any that is not enabled now went down with this failure.
  for (std::size_t i = index + 1; i < entries_.size(); ++i) {
    if (!entries_[i].enabled()) continue;
    for (const std::size_t dep : required_[i]) {
      if (entries_[dep].enabled()) continue;
      disable(i, "requires " + entries_[dep].manifest.id + ", which " + causes_[dep]);
      disabled.emplace_back(entries_[i].manifest.id, entries_[i].reason);
      break;
    }
  }
  return disabled;
}

}  // namespace orrery::plugins
