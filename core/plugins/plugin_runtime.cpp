#include "core/plugins/plugin_runtime.hpp"

#include "core/plugins/exception_text.hpp"

#include <algorithm>
#include <exception>

#include "core/http/http_host.hpp"
#include "core/logging/logging_service.hpp"
#include "core/plugins/loader.hpp"
#include "core/plugins/registrant_scope.hpp"
#include "core/preboot/preboot_holds.hpp"
#include "core/status/status_service.hpp"
#include "core/storage/storage_service.hpp"

namespace orrery::plugins {

namespace {

std::string_view stageName(Stage stage) {
  switch (stage) {
    case Stage::preboot: return "preboot setup";
    case Stage::setup: return "setup";
    case Stage::start: return "start";
  }
  return "setup";
}


class PluginStatusReporter final : public orrery::StatusReporter {
 public:
  PluginStatusReporter(status::StatusService& service, std::string id, orrery::Logger& logger)
      : service_(service), id_(std::move(id)), logger_(logger) {}

  void report(orrery::ServiceLevel level, std::string summary) override {
    const std::string text = summary;
    if (service_.report(id_, level, std::move(summary))) {
      const auto logLevel = level == orrery::ServiceLevel::available ? orrery::LogLevel::info : orrery::LogLevel::warn;
      logger_.log(logLevel, "status " + std::string(orrery::toString(level)) + ": " + text,
                  {{"plugin", id_}, {"status", std::string(orrery::toString(level))}});
    }
  }

 private:
  status::StatusService& service_;
  std::string id_;
  orrery::Logger& logger_;
};

class PluginLifecycleContext final : public orrery::LifecycleContext {
 public:
  PluginLifecycleContext(ApiRegistry& registry, PluginRuntime& runtime, std::shared_ptr<void> library)
      : registry_(registry), runtime_(runtime), library_(std::move(library)) {}

  void withContext(std::vector<std::string> names, std::function<void(const orrery::ProvidedApis&)> handler) override {
    auto& executors = runtime_.executors();
    // What the handler registers in other plugins' contracts is tied to this plugin.
    auto scoped = [handler = std::move(handler), id = runtime_.manifest().id](const orrery::ProvidedApis& apis) {
      RegistrantScope scope(id);
      handler(apis);
    };
    registry_.withContext(
        runtime_.manifest().id, std::move(names), std::move(scoped),
        [&executors](std::function<void()> task) { executors.post(std::move(task)); }, library_);
  }

  bool isProvided(std::string_view name) const override { return registry_.isProvided(name); }

  std::string trackRegistration(std::function<void()> withdraw) override {
    const std::string* registrant = RegistrantScope::current();
    if (registrant == nullptr) return {};
    const std::string& provider = runtime_.manifest().id;
    // A plugin's registrations in its own contract go down with that contract.
    if (*registrant == provider) return provider;
    registry_.trackRegistration(*registrant, provider, std::move(withdraw));
    return *registrant;
  }

 protected:
  void provideAny(std::string name, orrery::AnyContract api) override {
    api.replaceObject(keepLibrary(api.object(), library_));
    registry_.provide(runtime_.manifest().id, std::move(name), std::move(api));
  }

 private:
  ApiRegistry& registry_;
  PluginRuntime& runtime_;
  std::shared_ptr<void> library_;
};

// The SDK context for one stage; `Base` is PrebootContext, SetupContext or StartContext.
template <class Base>
class StageContext : public Base {
 public:
  StageContext(PluginRuntime& runtime, Stage stage) : runtime_(runtime), stage_(stage) {}

  const std::string& pluginId() const override { return runtime_.manifest().id; }
  orrery::Logger& logger() override { return runtime_.logger(); }
  const orrery::PluginConfig& config() const override { return runtime_.config(); }
  orrery::Executors& executors() override { return runtime_.executors(); }
  orrery::StatusReporter& status() override { return runtime_.status(); }
  orrery::CancellationToken stopToken() const override { return runtime_.stopToken(); }
  orrery::LifecycleContext& lifecycle() override { return runtime_.lifecycle(); }
  const std::filesystem::path& dataPath() const override { return runtime_.dataPath(); }

 protected:
  orrery::AnyContract dependencyContract(std::string_view id, bool required) const override {
    return runtime_.dependency(id, required, stage_);
  }
  void exposeAny(orrery::AnyContract contract) override { runtime_.expose(stage_, std::move(contract)); }

  PluginRuntime& runtime_;
  Stage stage_;
};

class PrebootStageContext final : public StageContext<orrery::PrebootContext> {
 public:
  using StageContext::StageContext;
  orrery::PrebootService& preboot() override { return runtime_.preboot(); }
  orrery::http::HttpService& http() override { return runtime_.http(); }
  const orrery::HostConfig& hostConfig() const override { return runtime_.hostConfig(); }
};

class SetupStageContext final : public StageContext<orrery::SetupContext> {
 public:
  using StageContext::StageContext;
  orrery::http::HttpService& http() override { return runtime_.http(); }
  orrery::storage::Storage& storage() override { return runtime_.storage(); }
};

class StartStageContext final : public StageContext<orrery::StartContext> {
 public:
  using StageContext::StageContext;
  orrery::storage::Storage& storage() override { return runtime_.storage(); }
};

}  // namespace

PluginRuntime::PluginRuntime(HostServices& services, const Manifest& manifest, std::shared_ptr<void> library,
                             std::unique_ptr<orrery::PluginConfig> config, ContractLookup lookup)
    : services_(services),
      manifest_(manifest),
      library_(std::move(library)),
      config_(std::move(config)),
      lookup_(std::move(lookup)),
      logger_(services.logging.get("plugins." + manifest.id)) {
  executors_ = std::make_unique<executors::PluginExecutors>(
      services.pool, library_, [this](std::exception_ptr error) {
        // Work the plugin posted threw: the host keeps running, the plugin is degraded.
        const std::string reason = "a task threw: " + exceptionText(error);
        logger_.error(reason, {{"plugin", manifest_.id}});
        status_->report(orrery::ServiceLevel::degraded, reason);
      });
  status_ = std::make_unique<PluginStatusReporter>(services.status, manifest.id, logger_);
  lifecycle_ = std::make_unique<PluginLifecycleContext>(services.apis, *this, library_);
  preboot_ = services.holds.serviceFor(manifest.id);
}

PluginRuntime::~PluginRuntime() = default;

std::shared_ptr<orrery::PrebootContext> PluginRuntime::prebootContext() {
  return std::make_shared<PrebootStageContext>(*this, Stage::preboot);
}

std::shared_ptr<orrery::SetupContext> PluginRuntime::setupContext() {
  return std::make_shared<SetupStageContext>(*this, Stage::setup);
}

std::shared_ptr<orrery::StartContext> PluginRuntime::startContext() {
  return std::make_shared<StartStageContext>(*this, Stage::start);
}

orrery::AnyContract PluginRuntime::exposed(Stage stage) const {
  std::lock_guard lock(mutex_);
  return exposed_[static_cast<int>(stage)];
}

void PluginRuntime::expose(Stage stage, orrery::AnyContract contract) {
  if (contract.empty()) {
    throw orrery::ContractError("plugin '" + manifest_.id + "' exposed a null " + std::string(stageName(stage)) +
                                " contract");
  }
  contract.replaceObject(keepLibrary(contract.object(), library_));
  std::lock_guard lock(mutex_);
  auto& slot = exposed_[static_cast<int>(stage)];
  if (!slot.empty()) {
    throw orrery::ContractError("plugin '" + manifest_.id + "' exposed its " + std::string(stageName(stage)) +
                                " contract twice");
  }
  slot = std::move(contract);
}

orrery::AnyContract PluginRuntime::dependency(std::string_view id, bool required, Stage stage) const {
  const auto& declared = required ? manifest_.requiredPlugins : manifest_.optionalPlugins;
  if (std::find(declared.begin(), declared.end(), id) == declared.end()) {
    throw orrery::ContractError("plugin '" + manifest_.id + "' asked for plugin '" + std::string(id) +
                                "', which is not in its manifest's " +
                                (required ? "requiredPlugins" : "optionalPlugins"));
  }
  orrery::AnyContract contract = lookup_(std::string(id), stage);
  if (contract.empty() && required) {
    throw orrery::ContractError("plugin '" + std::string(id) + "' exposed no " + std::string(stageName(stage)) +
                                " contract");
  }
  return contract;
}

orrery::http::HttpService& PluginRuntime::http() {
  std::lock_guard lock(mutex_);
  if (!http_) {
    if (!services_.http) throw std::logic_error("no HTTP service in this host");
    http_ = services_.http->serviceFor(manifest_.id, library_, manifest_.type == PluginType::preboot);
  }
  return *http_;
}

const orrery::HostConfig& PluginRuntime::hostConfig() const {
  if (!services_.hostConfig) throw std::logic_error("no host configuration in this host");
  return *services_.hostConfig;
}

orrery::storage::Storage& PluginRuntime::storage() {
  std::lock_guard lock(mutex_);
  if (!storage_) {
    if (!services_.storage) throw std::logic_error("no storage service in this host");
    storage_ = services_.storage->clientFor(manifest_.id, *executors_, library_);
  }
  return *storage_;
}

void PluginRuntime::cancel() { stop_.cancel(); }

bool PluginRuntime::drain(std::chrono::steady_clock::time_point deadline) { return executors_->drain(deadline); }

}  // namespace orrery::plugins
