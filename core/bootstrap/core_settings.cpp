#include "core/bootstrap/core_settings.hpp"

#include <set>

#include "core/bootstrap/exit_codes.hpp"
#include "core/bootstrap/startup_error.hpp"
#include "core/config/config_loader.hpp"
#include "core/config/core_schema.hpp"
#include "core/config/plugin_config.hpp"
#include "core/config/schema_validator.hpp"
#include "core/logging/log_record.hpp"

namespace orrery::bootstrap {

namespace {

const std::vector<std::pair<std::string, orrery::ConfigSchema>>& schemas() {
  static const auto all = config::coreSchemas();
  return all;
}

// Validates one core section on its own; the whole-tree check later repeats this along
// with unknown-key detection, once the plugin sections are known.
config::JsonPluginConfig section(const nlohmann::json& tree, const std::string& path,
                                 std::vector<config::ConfigIssue>& issues) {
  for (const auto& [name, schema] : schemas()) {
    if (name != path) continue;
    nlohmann::json input = tree.is_object() && tree.contains(path) ? tree.at(path) : nlohmann::json();
    if (input.is_object()) {
      // Only the core's own keys here: `plugins.<id>` entries and any unknown key are
      // judged by the whole-tree check once the plugins are known.
      std::set<std::string> roots;
      for (const auto& field : schema.fields()) roots.insert(field.key.substr(0, field.key.find('.')));
      for (auto it = input.begin(); it != input.end();) {
        it = roots.count(it.key()) != 0 ? std::next(it) : input.erase(it);
      }
    }
    auto validated = config::validateSection(input, schema, path);
    issues.insert(issues.end(), validated.issues.begin(), validated.issues.end());
    return config::JsonPluginConfig(schema, validated.value);
  }
  throw std::logic_error("no core schema for section " + path);
}

}  // namespace

void appendCoreSections(std::vector<config::SectionSpec>& sections) {
  for (const auto& [name, schema] : schemas()) sections.push_back({name, &schema});
}

LoadedConfig loadConfig(const Options& options) {
  LoadedConfig loaded;
  try {
    auto raw = config::loadRaw(options.configFile, options.sets);
    loaded.tree = std::move(raw.tree);
    if (raw.file) loaded.source = *raw.file;
  } catch (const std::exception& e) {
    throw StartupError(kExitConfig, std::string("config error: ") + e.what());
  }

  std::vector<config::ConfigIssue> issues;
  const auto logging = section(loaded.tree, "logging", issues);
  const auto path = section(loaded.tree, "path", issues);
  const auto plugins = section(loaded.tree, "plugins", issues);
  const auto server = section(loaded.tree, "server", issues);
  const auto storage = section(loaded.tree, "storage", issues);
  const auto pools = section(loaded.tree, "executors", issues);
  if (!issues.empty()) {
    throw StartupError(kExitConfig, "config error:\n" + config::formatIssues(issues));
  }

  auto& core = loaded.core;
  core.logging.level = logging::parseLevel(logging.getString("level")).value_or(orrery::LogLevel::info);
  core.logging.format = logging.getString("format") == "json" ? logging::LogFormat::json : logging::LogFormat::text;
  if (logging.has("file")) core.logging.file = logging.getString("file");
  core.logging.loggers = logging.getStringMap("loggers");
  core.dataPath = path.getString("data");
  if (storage.has("path")) core.storagePath = storage.getString("path");
  for (const auto& folder : plugins.getStringList("paths")) core.pluginPaths.emplace_back(folder);
  core.lifecycle.timeout = plugins.getDuration("lifecycle.timeout");
  core.lifecycle.warnAfter = plugins.getDuration("lifecycle.warnAfter");
  for (std::size_t i = 0; i < executors::kPoolCount; ++i) {
    const std::string name(orrery::poolName(executors::kPools[i]));
    core.pools[i].threads = static_cast<unsigned>(pools.getInt(name + ".threads"));
    core.pools[i].queueSize = static_cast<std::size_t>(pools.getInt(name + ".queueSize"));
  }
  try {
    core.server = server::serverOptionsFrom(server);
  } catch (const std::invalid_argument& e) {
    throw StartupError(kExitConfig, std::string("config error:\n") + e.what());
  }
  loaded.disabledPlugins = config::disabledInConfig(loaded.tree);
  return loaded;
}

}  // namespace orrery::bootstrap
