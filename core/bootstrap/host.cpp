#include "core/bootstrap/host.hpp"

#include "core/plugins/exception_text.hpp"

#include <condition_variable>
#include <cstdio>
#include <fmt/format.h>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "core/bootstrap/core_settings.hpp"
#include "core/bootstrap/exit_codes.hpp"
#include "core/bootstrap/plugin_folders.hpp"
#include "core/bootstrap/plugin_plan.hpp"
#include "core/bootstrap/startup_error.hpp"
#include "core/config/config_check.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/host_config_view.hpp"
#include "core/executors/executor_pool.hpp"
#include "core/http/http_host.hpp"
#include "core/http/landing_page.hpp"
#include "core/logging/logging_service.hpp"
#include "core/plugins/api_registry.hpp"
#include "core/plugins/deadline_runner.hpp"
#include "core/plugins/plugin_set.hpp"
#include "core/preboot/preboot_holds.hpp"
#include "core/status/status_api.hpp"
#include "core/status/status_service.hpp"
#include "core/storage/sqlite_backend.hpp"
#include "core/storage/storage_service.hpp"

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "unknown"
#endif

namespace orrery::bootstrap {

namespace {

using Clock = std::chrono::steady_clock;

std::string millisSince(Clock::time_point start) {
  return fmt::format("{:.1f}", std::chrono::duration<double, std::milli>(Clock::now() - start).count());
}


void prepareDataFolder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    throw StartupError(kExitConfig, "config error:\npath.data: cannot create folder " + folder.string() + ": " +
                                        ec.message());
  }
}

}  // namespace

struct Host::State {
  explicit State(Options opts) : options(std::move(opts)) {}

  Options options;
  logging::LoggingService logging;
  status::StatusService status;
  preboot::PrebootHolds holds;
  plugins::ApiRegistry apis;
  plugins::DeadlineRunner runner;
  std::unique_ptr<executors::ExecutorPool> pool;
  std::unique_ptr<server::HttpHost> http;
  std::unique_ptr<plugins::HostServices> services;
  std::shared_ptr<std::atomic<double>> startupMs = std::make_shared<std::atomic<double>>(-1.0);
  LoadedConfig config;
  // The config as it was at start, for preboot plugins (they run before any reload).
  std::unique_ptr<config::HostConfigView> hostConfig;
  // Graphs own the manifests the sets point into: declared before the sets.
  std::unique_ptr<plugins::PluginGraph> bootGraph;
  std::unique_ptr<plugins::PluginGraph> reloadedGraph;
  std::unique_ptr<plugins::PluginSet> prebootSet;
  std::unique_ptr<plugins::PluginSet> standardSet;
  // After the sets: registered types keep plugin libraries loaded until it goes.
  std::unique_ptr<storage::StorageService> storage;

  std::mutex mutex;
  std::condition_variable stopSignalled;
  bool stopRequested = false;

  orrery::Logger& log() { return logging.get("host"); }

  bool inState(const std::string& id, status::PluginState wanted) const {
    const auto plugin = status.plugin(id);
    return plugin && plugin->state == wanted;
  }

  void startHttp(Clock::time_point started) {
    http = std::make_unique<server::HttpHost>(pool->io(), config.core.server, logging.get("http"),
                                              logging.get("http.access"));
    services->http = http.get();
    char hostname[256] = {};
    ::gethostname(hostname, sizeof hostname - 1);
    http->coreRouter().get("/api/status",
                           status::statusApiHandler(status, {hostname, ORRERY_VERSION, started, startupMs,
                                                             [this] {
                                                               return http->gate().mode() ==
                                                                      server::AuthGate::Mode::disabled;
                                                             },
                                                             [this] { return pool->stats(); }}),
                           {.auth = orrery::http::Auth::optional});
    http->coreRouter().get("/", server::landingPageHandler(ORRERY_VERSION), {.auth = orrery::http::Auth::none});
    try {
      http->listen();
    } catch (const std::runtime_error& e) {
      throw StartupError(kExitConfig, std::string("config error:\n") + e.what());
    }
  }

  bool stopping() {
    std::lock_guard lock(mutex);
    return stopRequested;
  }

  std::unique_ptr<plugins::PluginSet> makeSet(plugins::PluginGraph& graph, plugins::PluginType type) {
    auto set = std::make_unique<plugins::PluginSet>(*services, graph, config.core.lifecycle,
                                                    logging.get("plugins"), runner);
    for (const auto& entry : graph.entries()) {
      if (entry.manifest.type == type) set->add(entry.manifest);
    }
    return set;
  }

  // Records every planned plugin in the status service and logs why any is disabled.
  void registerPlugins(const plugins::PluginGraph& graph, std::optional<plugins::PluginType> only) {
    auto& pluginLog = logging.get("plugins");
    for (const auto& entry : graph.entries()) {
      const auto& manifest = entry.manifest;
      if (only && manifest.type != *only) continue;
      status.registerPlugin(manifest.id, std::string(plugins::pluginTypeName(manifest.type)), manifest.version.toString(),
                            graph.requiredOf(manifest.id));
      if (entry.enabled()) {
        status.setState(manifest.id, status::PluginState::pending);
        continue;
      }
      const bool byConfig = config.disabledPlugins.count(manifest.id) != 0;
      status.setState(manifest.id, byConfig ? status::PluginState::disabledInConfig : status::PluginState::disabled,
                      entry.reason);
      if (byConfig) {
        pluginLog.info(entry.reason, {{"plugin", manifest.id}});
      } else {
        pluginLog.warn(entry.reason, {{"plugin", manifest.id}});
      }
    }
  }

  // The whole-tree check: unknown keys anywhere and every loaded plugin's section.
  void checkAndConfigure() {
    std::vector<config::SectionSpec> sections;
    appendCoreSections(sections);
    prebootSet->appendSections(sections);
    standardSet->appendSections(sections);
    std::set<std::string> ids;
    for (const auto& entry : bootGraph->entries()) ids.insert(entry.manifest.id);
    if (reloadedGraph) {
      for (const auto& entry : reloadedGraph->entries()) ids.insert(entry.manifest.id);
    }
    const auto checked = config::checkConfig(config.tree, sections, ids);
    if (!checked.issues.empty()) {
      throw StartupError(kExitConfig, "config error:\n" + config::formatIssues(checked.issues));
    }
    prebootSet->configure(checked);
    standardSet->configure(checked);
  }

  void reloadConfig() {
    log().info("reloading the config, as a preboot plugin asked");
    config = loadConfig(options);
    logging.configure(config.core.logging);
    prepareDataFolder(config.core.dataPath);
    services->dataPath = config.core.dataPath;
    // Standard plugins have not been created yet: plan them again from the new config.
    standardSet.reset();
    reloadedGraph = planPlugins(pluginFolders(options, config.core), config.disabledPlugins);
    registerPlugins(*reloadedGraph, plugins::PluginType::standard);
    standardSet = makeSet(*reloadedGraph, plugins::PluginType::standard);
    standardSet->loadAll();
    checkAndConfigure();
  }

  // Opened once path.data is final (a preboot plugin may have changed the config), before
  // standard plugins' setup, where they register their document types.
  void openStorage() {
    const auto file = config.core.storagePath.value_or(config.core.dataPath / "storage" / "orrery.db");
    try {
      storage = std::make_unique<storage::StorageService>(std::make_shared<storage::SqliteBackend>(file));
    } catch (const std::exception& e) {
      throw StartupError(kExitFailure, std::string("cannot open the storage: ") + e.what());
    }
    services->storage = storage.get();
    log().info("storage: " + storage->backend().describe());
  }

  // Brings the registered document types to their versions before any plugin starts.
  void migrateStorage() {
    try {
      for (const auto& line : storage->applyMigrations()) log().info("storage: " + line);
    } catch (const std::exception& e) {
      throw StartupError(kExitFailure, std::string("storage migration failed, nothing of that type was changed: ") +
                                           e.what());
    }
  }

  // Returns false when the host should not go on (stop requested or a hold rejected).
  bool waitForHolds(bool setup) {
    const auto pending = setup ? holds.pendingSetupHolds() : holds.pendingStartHolds();
    for (const auto& line : pending) {
      log().info(fmt::format("{} is on hold: {}", setup ? "setup" : "start", line));
    }
    const auto result = setup ? holds.waitUntilCanSetup() : holds.waitUntilCanStart();
    if (result.kind == preboot::WaitResult::Kind::rejected) {
      throw StartupError(kExitFailure, "cannot start: " + result.reason);
    }
    if (result.kind == preboot::WaitResult::Kind::interrupted) return false;
    if (setup && result.reloadConfig) reloadConfig();
    return true;
  }

  // The status of every plugin, then the ready line last: whoever waits for "ready"
  // (an operator, a test) has the whole start-up report by then.
  void logReady(Clock::time_point started) {
    const auto snapshot = status.snapshot();
    for (const auto& plugin : snapshot.plugins) {
      if (plugin.state == status::PluginState::stopped) continue;
      log().info(fmt::format("plugin {} {} {}: {} ({})", plugin.id, plugin.type, plugin.version,
                             orrery::toString(plugin.level), plugin.summary),
                 {{"plugin", plugin.id}, {"state", std::string(status::toString(plugin.state))},
                  {"status", std::string(orrery::toString(plugin.level))}});
    }
    for (const auto& line : apis.describePending()) {
      log().warn("lifecycle context: " + line + ", which no plugin has provided");
    }
    log().info("overall status: " + std::string(orrery::toString(snapshot.overall)) + " (" + snapshot.summary + ")");
    startupMs->store(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    log().info("orrery ready in " + millisSince(started) + "ms",
               {{"startupMs", millisSince(started)}, {"status", std::string(orrery::toString(snapshot.overall))}});
  }

  // Stop everything that runs, then release in the only safe order: threads first,
  // then registries, then plugin objects, and their libraries last.
  void shutdown() {
    holds.interrupt();
    // In-flight requests finish while their plugins still run.
    if (http) http->stop();
    if (standardSet) standardSet->stopAll();
    if (prebootSet) prebootSet->stopAll();
    if (pool) pool->stop();
    // Routes and the authenticator hold plugin code: gone before the libraries are.
    if (services) services->http = nullptr;
    http.reset();
    apis.clear();
    if (standardSet) standardSet->release();
    if (prebootSet) prebootSet->release();
    if (services) services->storage = nullptr;
    storage.reset();
  }
};

Host::Host(Options options) : state_(std::make_unique<State>(std::move(options))) {}

Host::~Host() = default;

void Host::requestStop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopRequested = true;
  }
  state_->stopSignalled.notify_all();
  state_->holds.interrupt();
}

int Host::run() {
  auto& s = *state_;
  const auto started = Clock::now();
  try {
    s.config = loadConfig(s.options);
    s.logging.configure(s.config.core.logging);
    s.log().info(std::string("orrery ") + ORRERY_VERSION + " starting",
                 {{"config", s.config.source.empty() ? "built-in defaults" : s.config.source.string()}});
    prepareDataFolder(s.config.core.dataPath);

    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    s.pool = std::make_unique<executors::ExecutorPool>(std::min(cores, 4u), s.config.core.pools, [&s](std::exception_ptr error) {
      s.log().error("a host task threw: " + plugins::exceptionText(error));
    });
    s.services = std::make_unique<plugins::HostServices>(
        plugins::HostServices{s.logging, s.status, *s.pool, s.apis, s.holds, s.config.core.dataPath});
    s.hostConfig = std::make_unique<config::HostConfigView>(
        s.config.tree, s.options.configFile.value_or(config::kDefaultConfigFile));
    s.services->hostConfig = s.hostConfig.get();

    s.bootGraph = planPlugins(pluginFolders(s.options, s.config.core), s.config.disabledPlugins);
    s.registerPlugins(*s.bootGraph, std::nullopt);
    s.prebootSet = s.makeSet(*s.bootGraph, plugins::PluginType::preboot);
    s.standardSet = s.makeSet(*s.bootGraph, plugins::PluginType::standard);
    s.prebootSet->loadAll();
    s.standardSet->loadAll();
    s.checkAndConfigure();

    s.startHttp(started);

    // PREBOOT
    s.prebootSet->setupAll();
    s.http->servePreboot([&s](const std::string& id) { return s.inState(id, status::PluginState::setUp); });
    const bool proceed = !s.stopping() && s.waitForHolds(true);
    s.http->endPreboot();
    s.prebootSet->stopAll();

    // SETUP, START
    if (proceed && !s.stopping()) {
      s.openStorage();
      s.standardSet->setupAll();
      if (!s.stopping() && s.waitForHolds(false) && !s.stopping()) {
        s.migrateStorage();
        s.standardSet->startAll();
        s.http->serveMain([&s](const std::string& id) { return s.inState(id, status::PluginState::started); });
        s.logReady(started);
      }
    }

    std::unique_lock lock(s.mutex);
    s.stopSignalled.wait(lock, [&s] { return s.stopRequested; });
  } catch (const StartupError& e) {
    s.log().critical(e.what());
    std::fprintf(stderr, "orrery: %s\n", e.what());
    s.shutdown();
    return e.exitCode();
  }

  const auto stopping = Clock::now();
  s.log().info("stopping");
  s.shutdown();
  s.log().info("stopped in " + millisSince(stopping) + "ms");
  return kExitOk;
}

}  // namespace orrery::bootstrap
