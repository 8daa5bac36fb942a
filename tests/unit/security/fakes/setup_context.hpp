// A SetupContext for driving a plugin's setup() in a unit test: schema-default config
// with overrides, inline executors, a recording logger, status and HTTP service.
#pragma once

#include <filesystem>
#include <orrery/context.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "fakes/inline_executors.hpp"
#include "fakes/recording_http.hpp"
#include "fakes/recording_logger.hpp"
#include "fakes/schema_config.hpp"

namespace orrery::security::test {

class RecordingStatus final : public StatusReporter {
 public:
  void report(ServiceLevel l, std::string s) override {
    level = l;
    summary = std::move(s);
  }
  ServiceLevel level = ServiceLevel::degraded;
  std::string summary;
};

class NoLifecycle final : public LifecycleContext {
 public:
  void withContext(std::vector<std::string>, std::function<void(const ProvidedApis&)>) override {
    throw std::logic_error("not used by this plugin");
  }
  bool isProvided(std::string_view) const override { return false; }
  std::string trackRegistration(std::function<void()>) override { return {}; }

 protected:
  void provideAny(std::string, AnyContract) override { throw std::logic_error("not used by this plugin"); }
};

class FakeSetupContext final : public SetupContext {
 public:
  FakeSetupContext(SchemaConfig config, std::filesystem::path dataPath)
      : config_(std::move(config)), dataPath_(std::move(dataPath)) {}

  const std::string& pluginId() const override { return id_; }
  Logger& logger() override { return logger_; }
  const PluginConfig& config() const override { return config_; }
  Executors& executors() override { return executors_; }
  StatusReporter& status() override { return status_; }
  CancellationToken stopToken() const override { return {}; }
  LifecycleContext& lifecycle() override { return lifecycle_; }
  const std::filesystem::path& dataPath() const override { return dataPath_; }
  http::HttpService& http() override { return http_; }
  // The security plugin keeps its state in files, not in the storage service.
  storage::Storage& storage() override { throw std::logic_error("not used by this plugin"); }

  RecordingLogger& recordedLog() { return logger_; }
  RecordingStatus& recordedStatus() { return status_; }
  RecordingHttpService& recordedHttp() { return http_; }
  InlineExecutors& inlineExecutors() { return executors_; }

 protected:
  AnyContract dependencyContract(std::string_view id, bool) const override {
    throw ContractError("no dependency '" + std::string(id) + "' in this test");
  }
  void exposeAny(AnyContract) override { throw std::logic_error("not used by this plugin"); }

 private:
  std::string id_ = "security";
  SchemaConfig config_;
  std::filesystem::path dataPath_;
  RecordingLogger logger_;
  InlineExecutors executors_;
  RecordingStatus status_;
  NoLifecycle lifecycle_;
  RecordingHttpService http_;
};

}  // namespace orrery::security::test
