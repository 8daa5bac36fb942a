// One test's private host installation: a temp folder with a config file, a data folder
// and a plugin folder assembled from the built fixtures. Removed when the test ends.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace harness {

std::filesystem::path orreryBinary();
std::filesystem::path fixturesDir();

class HostSetup {
 public:
  HostSetup();
  ~HostSetup();
  HostSetup(const HostSetup&) = delete;
  HostSetup& operator=(const HostSetup&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path pluginDir() const { return root_ / "plugins"; }
  std::filesystem::path configFile() const { return root_ / "orrery.yml"; }
  // `target` as a manifest in the plugin folder would name it.
  std::string relativeToPlugins(const std::filesystem::path& target) const;

  // Copies fixture `name`'s manifest into the plugin folder, its library path made
  // relative to that folder; `changes` are merged over it (e.g. another id).
  void addFixture(const std::string& name, const nlohmann::json& changes = nlohmann::json::object());
  // Writes a file into the plugin folder as is (for invalid manifests).
  void addRawManifest(const std::string& filename, const std::string& text);
  void writeConfig(const std::string& yaml);

  // Starts orrery with this config, plugin folder and data folder, a short lifecycle
  // deadline, and any extra arguments.
  std::unique_ptr<ChildProcess> start(std::vector<std::string> extraArgs = {});
  // The arguments start() passes, for tests that run orrery some other way.
  std::vector<std::string> arguments(std::vector<std::string> extraArgs = {}) const;

 private:
  std::filesystem::path root_;
};

}  // namespace harness
