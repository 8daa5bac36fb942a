#include "host_setup.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace harness {

std::filesystem::path orreryBinary() { return ORRERY_BINARY; }
std::filesystem::path fixturesDir() { return FIXTURES_DIR; }

HostSetup::HostSetup() {
  std::string pattern = (std::filesystem::temp_directory_path() / "orrery-it-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;
  std::filesystem::create_directories(pluginDir());
  writeConfig("");
}

HostSetup::~HostSetup() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

void HostSetup::addFixture(const std::string& name, const nlohmann::json& changes) {
  std::ifstream in(fixturesDir() / (name + ".json"));
  if (!in) throw std::runtime_error("no fixture manifest " + name);
  nlohmann::json manifest = nlohmann::json::parse(in);
  // Manifests name their library relative to themselves.
  manifest["library"] =
      std::filesystem::relative(fixturesDir() / manifest["library"].get<std::string>(), pluginDir()).string();
  manifest.merge_patch(changes);
  std::ofstream(pluginDir() / (manifest["id"].get<std::string>() + ".json")) << manifest.dump(2);
}

std::string HostSetup::relativeToPlugins(const std::filesystem::path& target) const {
  return std::filesystem::relative(target, pluginDir()).string();
}

void HostSetup::addRawManifest(const std::string& filename, const std::string& text) {
  std::ofstream(pluginDir() / filename) << text;
}

void HostSetup::writeConfig(const std::string& yaml) { std::ofstream(configFile()) << yaml; }

std::vector<std::string> HostSetup::arguments(std::vector<std::string> extraArgs) const {
  std::vector<std::string> args{"--config",  configFile().string(),
                                "--plugin-path", pluginDir().string(),
                                "--set",     "path.data=" + (root_ / "data").string(),
                                "--set",     "plugins.lifecycle.timeout=2s",
                                "--set",     "plugins.lifecycle.warnAfter=1s",
                                // The first-run setup page would hold every test host in
                                // preboot; its own tests turn it back on.
                                "--set",     "interactive_setup.enabled=false",
                                // Every test its own free port; tests read it from the log.
                                "--set",     "server.port=0"};
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  return args;
}

std::unique_ptr<ChildProcess> HostSetup::start(std::vector<std::string> extraArgs) {
  return std::make_unique<ChildProcess>(orreryBinary(), arguments(std::move(extraArgs)), root_);
}

}  // namespace harness
