// What the host hands a plugin in each lifecycle call.
//
// Every service reference obtained from a context stays valid until the plugin's stop()
// has returned and its posted work has drained, so a plugin may keep references (e.g. to
// its Logger) in members. Contexts themselves are only valid during the call.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "orrery/cancellation.hpp"
#include "orrery/config.hpp"
#include "orrery/contract.hpp"
#include "orrery/executors.hpp"
#include "orrery/host_config.hpp"
#include "orrery/http/service.hpp"
#include "orrery/lifecycle_context.hpp"
#include "orrery/logger.hpp"
#include "orrery/preboot.hpp"
#include "orrery/status.hpp"
#include "orrery/storage.hpp"

namespace orrery {

// Core services available in every stage.
class CoreContext {
 public:
  virtual ~CoreContext() = default;

  virtual const std::string& pluginId() const = 0;
  virtual Logger& logger() = 0;
  // This plugin's validated config section (at its manifest's configPath).
  virtual const PluginConfig& config() const = 0;
  virtual Executors& executors() = 0;
  virtual StatusReporter& status() = 0;
  // Cancelled when the host starts stopping this plugin.
  virtual CancellationToken stopToken() const = 0;
  virtual LifecycleContext& lifecycle() = 0;
  // The host's data folder (`path.data`); plugins keep their files in a subfolder named
  // after their id.
  virtual const std::filesystem::path& dataPath() const = 0;
};

// Core services plus typed access to dependencies' contracts for this stage, and a way
// to expose this plugin's own contract to its dependents.
class PluginContext : public CoreContext {
 public:
  // The contract of a plugin listed in this plugin's `requiredPlugins`. Throws
  // ContractError if `id` is not declared there, exposed nothing, or has another type.
  template <Contract T>
  std::shared_ptr<T> plugin(std::string_view id) const {
    return dependencyContract(id, true).template as<T>("plugin '" + std::string(id) + "'");
  }

  // The contract of a plugin listed in `optionalPlugins`, or nullptr when that plugin is
  // absent, disabled or failed.
  template <Contract T>
  std::shared_ptr<T> optionalPlugin(std::string_view id) const {
    AnyContract contract = dependencyContract(id, false);
    if (contract.empty()) return nullptr;
    return contract.template as<T>("plugin '" + std::string(id) + "'");
  }

  // This plugin's contract for the current stage, for its dependents. Once per stage.
  template <Contract T>
  void expose(std::shared_ptr<T> contract) {
    exposeAny(AnyContract::of(std::move(contract)));
  }

 protected:
  virtual AnyContract dependencyContract(std::string_view id, bool required) const = 0;
  virtual void exposeAny(AnyContract contract) = 0;
};

class SetupContext : public PluginContext {
 public:
  // Routes and the authentication hook; served by the main server once the host is ready.
  virtual http::HttpService& http() = 0;
  // Document storage (SDK 1.2): register types here; documents are read and written
  // from start on.
  virtual storage::Storage& storage() = 0;
};

class StartContext : public PluginContext {
 public:
  // Document storage (SDK 1.2).
  virtual storage::Storage& storage() = 0;
};

class PrebootContext : public PluginContext {
 public:
  virtual PrebootService& preboot() = 0;
  // Routes served by the preboot server while the host is in preboot.
  virtual http::HttpService& http() = 0;
  // The host's configuration and the file it comes from (SDK 1.2).
  virtual const HostConfig& hostConfig() const = 0;
};

}  // namespace orrery
