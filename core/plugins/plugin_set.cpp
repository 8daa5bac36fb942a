#include "core/plugins/plugin_set.hpp"

#include <fmt/format.h>

#include "core/config/plugin_config.hpp"
#include "core/config/schema_check.hpp"
#include "core/config/schema_validator.hpp"
#include "core/http/http_host.hpp"
#include "core/plugins/quarantine.hpp"
#include "core/plugins/registrant_scope.hpp"
#include "core/status/status_service.hpp"

namespace orrery::plugins {

namespace {

const char* callName(bool preboot, int call) {
  static const char* names[] = {"describeConfig", "create", "setup", "start", "stop"};
  return (preboot && call == 2) ? "preboot setup" : names[call];
}

std::string millis(std::chrono::nanoseconds elapsed) {
  return fmt::format("{:.1f}", std::chrono::duration<double, std::milli>(elapsed).count());
}

}  // namespace

PluginSet::PluginSet(HostServices& services, PluginGraph& graph, LifecycleSettings settings, orrery::Logger& log,
                     DeadlineRunner& runner)
    : services_(services), graph_(graph), settings_(settings), log_(log), runner_(runner) {}

PluginSet::~PluginSet() { release(); }

void PluginSet::add(const Manifest& manifest) {
  PluginInstance instance;
  instance.manifest = &manifest;
  instances_.push_back(std::move(instance));
}

void PluginSet::loadAll() {
  for (auto& instance : instances_) {
    const std::string& id = instance.manifest->id;
    if (!graph_.isEnabled(id) || instance.library.library) continue;
    auto loaded = loadLibrary(*instance.manifest);
    if (auto* error = std::get_if<LoadError>(&loaded)) {
      fail(instance, error->message, false);
      continue;
    }
    instance.library = std::get<LoadedLibrary>(std::move(loaded));
    if (instance.library.exports->describeConfig == nullptr) continue;
    if (!runCall(instance, Call::describeConfig)) continue;
    try {
      config::checkSchema(instance.schema, instance.manifest->configPath);
    } catch (const std::exception& e) {
      fail(instance, std::string("its config schema is invalid: ") + e.what(), false);
    }
  }
}

void PluginSet::appendSections(std::vector<config::SectionSpec>& sections) const {
  for (const auto& instance : instances_) {
    const bool loaded = instance.library.library && instance.state != PluginInstance::State::failed &&
                        graph_.isEnabled(instance.manifest->id);
    sections.push_back({instance.manifest->configPath, loaded ? &instance.schema : nullptr});
  }
}

void PluginSet::configure(const config::CheckedConfig& checked) {
  for (auto& instance : instances_) {
    if (!instance.library.library || !graph_.isEnabled(instance.manifest->id)) continue;
    auto section = checked.sections.find(instance.manifest->configPath);
    const nlohmann::json values = section == checked.sections.end() ? nlohmann::json::object() : section->second;
    instance.config =
        std::make_unique<config::JsonPluginConfig>(instance.schema, values, instance.manifest->configPath);
  }
}

PluginInstance* PluginSet::find(const std::string& id) {
  for (auto& instance : instances_) {
    if (instance.manifest->id == id) return &instance;
  }
  return nullptr;
}

orrery::AnyContract PluginSet::contractOf(const std::string& id, Stage stage) const {
  for (const auto& instance : instances_) {
    if (instance.manifest->id != id) continue;
    const bool running = instance.state == PluginInstance::State::setUp ||
                         instance.state == PluginInstance::State::started;
    if (!running || !instance.runtime) return {};
    return instance.runtime->exposed(stage);
  }
  return {};
}

bool PluginSet::runCall(PluginInstance& instance, Call call) {
  const std::string& id = instance.manifest->id;
  const bool preboot = instance.manifest->type == PluginType::preboot;
  const char* name = callName(preboot, static_cast<int>(call));

  // Everything the call touches is captured by value, so an abandoned call keeps it alive.
  std::function<void()> body;
  struct Made {
    std::shared_ptr<orrery::Plugin> standard;
    std::shared_ptr<orrery::PrebootPlugin> preboot;
    std::shared_ptr<orrery::ConfigSchema> schema;
  };
  auto made = std::make_shared<Made>();
  switch (call) {
    case Call::describeConfig: {
      auto schema = std::make_shared<orrery::ConfigSchema>();
      body = [schema, library = instance.library] { library.exports->describeConfig(*schema); };
      made->schema = schema;
      break;
    }
    case Call::create:
      body = [made, library = instance.library, preboot] {
        if (preboot) {
          made->preboot = createPreboot(library);
        } else {
          made->standard = createStandard(library);
        }
      };
      break;
    case Call::setup:
      if (preboot) {
        body = [plugin = instance.preboot, runtime = instance.runtime, ctx = instance.runtime->prebootContext()] {
          plugin->setup(*ctx);
        };
      } else {
        body = [plugin = instance.standard, runtime = instance.runtime, ctx = instance.runtime->setupContext()] {
          plugin->setup(*ctx);
        };
      }
      break;
    case Call::start:
      body = [plugin = instance.standard, runtime = instance.runtime, ctx = instance.runtime->startContext()] {
        plugin->start(*ctx);
      };
      break;
    case Call::stop:
      if (preboot) {
        body = [plugin = instance.preboot, runtime = instance.runtime] { plugin->stop(); };
      } else {
        body = [plugin = instance.standard, runtime = instance.runtime] { plugin->stop(); };
      }
      break;
  }

  if (call == Call::setup || call == Call::start) {
    // What the call registers in other plugins' contracts is tied to this plugin, to be
    // withdrawn if it fails (LifecycleContext::trackRegistration).
    body = [inner = std::move(body), id] {
      RegistrantScope scope(id);
      inner();
    };
  }

  const auto outcome = runner_.run(std::move(body), settings_.timeout, settings_.warnAfter, [&] {
    log_.warn(fmt::format("plugin {}: {} is still running after {}ms (deadline {}ms)", id, name,
                          settings_.warnAfter.count(), settings_.timeout.count()),
              {{"plugin", id}, {"call", name}});
  });
  if (outcome.kind == CallOutcome::Kind::completed) {
    if (call == Call::create) {
      instance.standard = std::move(made->standard);
      instance.preboot = std::move(made->preboot);
    }
    if (call == Call::describeConfig) instance.schema = *made->schema;
    log_.info(fmt::format("plugin {}: {} took {}ms", id, name, millis(outcome.elapsed)),
              {{"plugin", id}, {"call", name}, {"durationMs", millis(outcome.elapsed)}});
    return true;
  }
  const bool abandoned = outcome.kind == CallOutcome::Kind::timedOut;
  fail(instance, fmt::format("{} {}: {}", name, abandoned ? "overran its deadline" : "threw", outcome.error),
       abandoned);
  return false;
}

void PluginSet::fail(PluginInstance& instance, const std::string& reason, bool abandoned) {
  const std::string& id = instance.manifest->id;
  instance.state = PluginInstance::State::failed;
  log_.error(fmt::format("plugin {} failed: {}", id, reason), {{"plugin", id}, {"reason", reason}});
  services_.status.setState(id, status::PluginState::failed, reason);
  services_.apis.withdraw(id);
  withdrawRegistrations(id);
  if (abandoned) {
    // Its thread is still inside plugin code: never stop, destroy or unload it.
    instance.needsStop = false;
    quarantine(std::move(instance.standard), std::move(instance.preboot), std::move(instance.runtime),
               std::move(instance.library.library));
  }
  for (const auto& [dependent, why] : graph_.markFailed(id, reason)) {
    log_.warn(why, {{"plugin", dependent}});
    services_.status.setState(dependent, status::PluginState::disabled, why);
    if (auto* other = find(dependent)) {
      // A dependent already set up keeps its stop() guarantee.
      if (other->state != PluginInstance::State::failed) other->state = PluginInstance::State::disabled;
      services_.apis.withdraw(dependent);
      withdrawRegistrations(dependent);
    }
  }
}

// Routes it added, and what it registered in other plugins' contracts (task types,
// search strategies, callbacks): nothing of a failed plugin stays in use.
void PluginSet::withdrawRegistrations(const std::string& id) {
  if (services_.http != nullptr) {
    const auto routes = services_.http->withdrawRoutes(id);
    if (routes > 0) log_.info(fmt::format("plugin {}: withdrew its {} route(s)", id, routes), {{"plugin", id}});
  }
  for (const auto& error : services_.apis.withdrawRegistrations(id)) {
    log_.error(fmt::format("plugin {}: withdrawing what it registered in {}", id, error), {{"plugin", id}});
  }
}

void PluginSet::setupAll() {
  for (auto& instance : instances_) {
    const std::string& id = instance.manifest->id;
    if (instance.state != PluginInstance::State::pending) continue;
    if (!graph_.isEnabled(id) || !instance.library.library) {
      instance.state = PluginInstance::State::disabled;
      continue;
    }
    if (!instance.config) {
      // Not configured by the host (a set used on its own): the schema's defaults.
      const auto defaults = config::validateSection(nlohmann::json::object(), instance.schema,
                                                    instance.manifest->configPath);
      instance.config = std::make_unique<config::JsonPluginConfig>(instance.schema, defaults.value,
                                                                   instance.manifest->configPath);
    }
    instance.runtime = std::make_shared<PluginRuntime>(
        services_, *instance.manifest, instance.library.library, std::move(instance.config),
        [this](const std::string& dependency, Stage stage) { return contractOf(dependency, stage); });
    if (!runCall(instance, Call::create)) continue;
    if (!instance.standard && !instance.preboot) {
      fail(instance, "the library's factory returned no plugin object", false);
      continue;
    }
    if (!runCall(instance, Call::setup)) continue;
    instance.state = PluginInstance::State::setUp;
    instance.needsStop = true;
    services_.status.setState(id, status::PluginState::setUp);
  }
}

void PluginSet::startAll() {
  for (auto& instance : instances_) {
    if (instance.state != PluginInstance::State::setUp || !instance.standard) continue;
    if (!runCall(instance, Call::start)) continue;
    instance.state = PluginInstance::State::started;
    services_.status.setState(instance.manifest->id, status::PluginState::started);
  }
}

void PluginSet::stopAll() {
  for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) {
    auto& instance = *it;
    if (!instance.needsStop) continue;
    instance.needsStop = false;
    const auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
    instance.runtime->cancel();
    const bool stopped = runCall(instance, Call::stop);
    if (!stopped && !instance.runtime) continue;  // abandoned: quarantined by fail()
    if (!instance.runtime->drain(deadline)) {
      log_.warn(fmt::format("plugin {}: {} posted task(s) still running at the stop deadline",
                            instance.manifest->id, instance.runtime->executors().inFlight()),
                {{"plugin", instance.manifest->id}});
    }
    if (stopped) {
      instance.state = PluginInstance::State::stopped;
      services_.status.setState(instance.manifest->id, status::PluginState::stopped);
    }
  }
}

void PluginSet::release() {
  for (auto it = instances_.rbegin(); it != instances_.rend(); ++it) {
    services_.apis.withdraw(it->manifest->id);
    it->standard.reset();
    it->preboot.reset();
    it->runtime.reset();
    it->config.reset();
    it->library = {};
  }
  instances_.clear();
}

}  // namespace orrery::plugins
