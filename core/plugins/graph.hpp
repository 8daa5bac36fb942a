// The plugin dependency graph: which discovered plugins run, in which order, and why the
// others do not. Built once from the discovered manifests and the ids disabled in
// config; while the host runs, markFailed() takes out a plugin whose lifecycle call
// threw or overran, together with everything that requires it.
//
// Not thread-safe: the host changes it from its lifecycle sequence only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/plugins/manifest.hpp"

namespace orrery::plugins {

// An inconsistency of the plugin set as a whole. Any of these stops the start: the
// order, or which plugin an id means, would otherwise be a guess.
struct GraphError {
  enum class Kind {
    duplicateId,         // "duplicate plugin id 'x' in a.json and b.json"
    duplicateConfigPath, // two plugins read the same config section
    nestedConfigPath,    // one plugin's section lies inside another's
    cycle,               // "dependency cycle: a -> b -> a (a.json, b.json)"
    standardOnPreboot,   // a standard plugin depends on a preboot plugin
    prebootOnStandard,   // a preboot plugin depends on a standard plugin
  };
  Kind kind;
  std::string message;                      // names the plugins and their manifest files
  std::vector<std::filesystem::path> files;  // the manifests involved
};

enum class PluginState {
  enabled,   // will run (or runs)
  disabled,  // by config or through a required dependency; never started
  failed,    // a lifecycle call threw or overran (markFailed)
};

struct PluginEntry {
  Manifest manifest;
  PluginState state = PluginState::enabled;
  // Empty while enabled, otherwise the whole log line, e.g.
  // "b disabled: requires a, which requires missing z" or "a failed: setup threw: ...".
  std::string reason;

  bool enabled() const { return state == PluginState::enabled; }
};

class PluginGraph {
 public:
  using BuildResult = std::variant<PluginGraph, std::vector<GraphError>>;

  // Every error is collected and returned, not just the first. Edges are required
  // dependencies plus the optional ones that were discovered; a missing or disabled
  // optional dependency never disables its dependent.
  static BuildResult build(std::vector<Manifest> manifests,
                           const std::set<std::string>& disabledInConfig);

  // Start order: preboot plugins, then standard ones; dependencies before dependents,
  // ties broken by id so the order never depends on discovery order. Stop runs it
  // backwards. Disabled and failed plugins stay listed, with their reason.
  const std::vector<PluginEntry>& entries() const { return entries_; }

  const PluginEntry* find(std::string_view id) const;  // nullptr for an unknown id
  bool isEnabled(std::string_view id) const;          // false for an unknown id

  // Dependencies as declared (required) or as declared and discovered (optional, which
  // may still be disabled: check isEnabled). Empty for an unknown id.
  std::vector<std::string> requiredOf(std::string_view id) const;
  std::vector<std::string> optionalOf(std::string_view id) const;
  // Plugins that list id as a required or optional dependency, in start order.
  std::vector<std::string> dependentsOf(std::string_view id) const;

  // Marks an enabled plugin failed and disables every still-enabled plugin that
  // requires it, directly or through others. Returns those, in start order, each with
  // its reason line: "c disabled: requires b, which failed: <reason>", or through an
  // intermediate "d disabled: requires c, which requires b, which failed: <reason>".
  // A plugin that is unknown, disabled or already failed is left as is ({}).
  std::vector<std::pair<std::string, std::string>> markFailed(const std::string& id,
                                                              const std::string& reason);

 private:
  PluginGraph() = default;
  std::size_t indexOf(std::string_view id) const;  // entries_.size() when unknown
  void disable(std::size_t index, std::string cause);

  std::vector<PluginEntry> entries_;
  // Per entry, why it is out, phrased to follow "which ": "is disabled in config (...)",
  // "requires missing z", "failed: ...". Chains are built from these.
  std::vector<std::string> causes_;
  std::vector<std::vector<std::size_t>> required_;   // present required deps, declared order
  std::vector<std::vector<std::size_t>> optional_;   // present optional deps, declared order
  std::vector<std::vector<std::size_t>> dependents_; // ascending index = start order
  std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace orrery::plugins
