// One plugin's share of the host: its logger, config, executors, status reporter, stop
// token, lifecycle-context facade and exposed contracts — everything the SDK contexts
// hand out. Lives from the plugin's creation until after its stop has drained.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/executors/plugin_executors.hpp"
#include "core/plugins/api_registry.hpp"
#include "core/plugins/manifest.hpp"
#include "orrery/context.hpp"

namespace orrery::logging {
class LoggingService;
}
namespace orrery::status {
class StatusService;
}
namespace orrery::preboot {
class PrebootHolds;
}
namespace orrery::server {
class HttpHost;
}
namespace orrery::storage {
class StorageService;
}

namespace orrery::plugins {

enum class Stage { preboot, setup, start };

// Host-wide services, borrowed by every plugin runtime.
struct HostServices {
  logging::LoggingService& logging;
  status::StatusService& status;
  executors::ExecutorPool& pool;
  ApiRegistry& apis;
  preboot::PrebootHolds& holds;
  std::filesystem::path dataPath;
  // Null in unit tests that run plugins without HTTP: http() then throws.
  server::HttpHost* http = nullptr;
  // The host's configuration as preboot plugins see it; null in unit tests (hostConfig()
  // then throws).
  const orrery::HostConfig* hostConfig = nullptr;
  // Null in unit tests that run plugins without storage: storage() then throws.
  storage::StorageService* storage = nullptr;
};

// Finds a dependency's contract for a stage; empty if that plugin is not running.
using ContractLookup = std::function<orrery::AnyContract(const std::string& id, Stage stage)>;

class PluginRuntime {
 public:
  PluginRuntime(HostServices& services, const Manifest& manifest, std::shared_ptr<void> library,
                std::unique_ptr<orrery::PluginConfig> config, ContractLookup lookup);
  ~PluginRuntime();

  const Manifest& manifest() const { return manifest_; }
  orrery::Logger& logger() { return logger_; }
  executors::PluginExecutors& executors() { return *executors_; }

  // A context for one lifecycle call. Shared so that a call abandoned at its deadline
  // keeps its context alive while the plugin's thread may still use it.
  std::shared_ptr<orrery::PrebootContext> prebootContext();
  std::shared_ptr<orrery::SetupContext> setupContext();
  std::shared_ptr<orrery::StartContext> startContext();

  // The contract the plugin exposed in a stage (empty if none).
  orrery::AnyContract exposed(Stage stage) const;

  // Stop: cancel the stop token, then wait for the plugin's posted work.
  void cancel();
  bool drain(std::chrono::steady_clock::time_point deadline);

  // Used by the contexts.
  orrery::AnyContract dependency(std::string_view id, bool required, Stage stage) const;
  void expose(Stage stage, orrery::AnyContract contract);
  const orrery::PluginConfig& config() const { return *config_; }
  orrery::StatusReporter& status() { return *status_; }
  orrery::CancellationToken stopToken() const { return stop_.token(); }
  orrery::LifecycleContext& lifecycle() { return *lifecycle_; }
  orrery::PrebootService& preboot() { return *preboot_; }
  orrery::http::HttpService& http();
  const orrery::HostConfig& hostConfig() const;
  orrery::storage::Storage& storage();
  const std::filesystem::path& dataPath() const { return services_.dataPath; }

 private:
  HostServices& services_;
  const Manifest& manifest_;
  std::shared_ptr<void> library_;
  std::unique_ptr<orrery::PluginConfig> config_;
  ContractLookup lookup_;
  orrery::Logger& logger_;
  std::unique_ptr<executors::PluginExecutors> executors_;
  std::unique_ptr<orrery::StatusReporter> status_;
  std::unique_ptr<orrery::LifecycleContext> lifecycle_;
  std::unique_ptr<orrery::PrebootService> preboot_;
  std::unique_ptr<orrery::http::HttpService> http_;  // made on first use
  std::unique_ptr<orrery::storage::Storage> storage_;  // made on first use
  orrery::CancellationSource stop_;
  mutable std::mutex mutex_;
  orrery::AnyContract exposed_[3];
};

}  // namespace orrery::plugins
