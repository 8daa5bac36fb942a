// Runs one group of plugins (the preboot group, or the standard group) through its
// lifecycle: create, setup, start, stop — each call under the deadline, in dependency
// order (stop in reverse), with failures isolated to the failing plugin and the plugins
// that require it.
//
// Guarantee to plugin authors: if setup() returned normally, stop() is called exactly
// once, even if the plugin or one of its dependencies failed later.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config_check.hpp"
#include "core/plugins/deadline_runner.hpp"
#include "core/plugins/graph.hpp"
#include "core/plugins/loader.hpp"
#include "core/plugins/plugin_runtime.hpp"

namespace orrery::plugins {

struct LifecycleSettings {
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds warnAfter{2'000};
};

struct PluginInstance {
  enum class State { pending, setUp, started, failed, disabled, stopped };

  const Manifest* manifest = nullptr;
  LoadedLibrary library;
  orrery::ConfigSchema schema;  // from the plugin's describeConfig, once loaded
  std::unique_ptr<orrery::PluginConfig> config;  // handed to the runtime at creation
  std::shared_ptr<PluginRuntime> runtime;
  std::shared_ptr<orrery::Plugin> standard;
  std::shared_ptr<orrery::PrebootPlugin> preboot;
  State state = State::pending;
  bool needsStop = false;  // setup returned normally and stop has not run yet
};

class PluginSet {
 public:
  PluginSet(HostServices& services, PluginGraph& graph, LifecycleSettings settings, orrery::Logger& log,
            DeadlineRunner& runner);
  ~PluginSet();

  // In start order; `manifest` must outlive the set (the graph owns it).
  void add(const Manifest& manifest);

  // Loads every enabled plugin's library and reads its config schema. A plugin that
  // cannot be loaded fails (and disables its dependents); the others go on.
  void loadAll();
  // Each plugin's config section: its schema once loaded; otherwise null, so that a
  // disabled plugin's settings are kept but not checked.
  void appendSections(std::vector<config::SectionSpec>& sections) const;
  // Hands each loaded plugin its validated section.
  void configure(const config::CheckedConfig& checked);

  void setupAll();
  void startAll();
  // Reverse order; each stop() under the deadline, then its posted work drained within
  // what is left of that deadline.
  void stopAll();

  // Releases plugin objects, runtimes and libraries in reverse order. Libraries of
  // plugins whose call overran stay loaded for the life of the process: their thread
  // may still be inside their code.
  void release();

  // The exposed contract of a running plugin of this set, for dependents.
  orrery::AnyContract contractOf(const std::string& id, Stage stage) const;

  const std::vector<PluginInstance>& instances() const { return instances_; }

 private:
  enum class Call { describeConfig, create, setup, start, stop };
  bool runCall(PluginInstance& instance, Call call);
  void fail(PluginInstance& instance, const std::string& reason, bool abandoned);
  void withdrawRegistrations(const std::string& id);
  PluginInstance* find(const std::string& id);

  HostServices& services_;
  PluginGraph& graph_;
  LifecycleSettings settings_;
  orrery::Logger& log_;
  DeadlineRunner& runner_;
  std::vector<PluginInstance> instances_;
};

}  // namespace orrery::plugins
