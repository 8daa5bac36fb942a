// libFuzzer target: arbitrary bytes through the whole configuration pipeline.
//
// The first line is also tried as a `--set` assignment, so the override parser is
// exercised too. Only the documented operator-input errors are caught; anything else
// (SchemaError, ConfigError, a crash) is a bug the fuzzer should report.
#include "core/config/config_check.hpp"
#include "core/config/core_schema.hpp"
#include "core/config/overrides.hpp"
#include "core/config/plugin_config.hpp"
#include "core/config/yaml_tree.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

void readEverything(const orrery::ConfigSchema& schema, const nlohmann::json& section) {
  const orrery::config::JsonPluginConfig config(schema, section);
  for (const auto& field : schema.fields()) {
    if (!config.has(field.key)) continue;
    switch (field.type) {
      case orrery::ConfigType::boolean: (void)config.getBool(field.key); break;
      case orrery::ConfigType::integer: (void)config.getInt(field.key); break;
      case orrery::ConfigType::number: (void)config.getNumber(field.key); break;
      case orrery::ConfigType::string: (void)config.getString(field.key); break;
      case orrery::ConfigType::duration: (void)config.getDuration(field.key); break;
      case orrery::ConfigType::bytes: (void)config.getBytes(field.key); break;
      case orrery::ConfigType::stringList: (void)config.getStringList(field.key); break;
      case orrery::ConfigType::stringMap: (void)config.getStringMap(field.key); break;
    }
  }
  (void)config.toJson();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A lower node limit than the host's keeps alias bombs cheap, so the fuzzer spends its
  // time on new paths rather than on expanding the same bomb; the limit code is the same.
  orrery::config::YamlLimits limits;
  limits.maxNodes = 20'000;
  nlohmann::json tree;
  try {
    tree = orrery::config::parseYaml(text, "fuzz.yml", limits);
  } catch (const orrery::config::ConfigFileError&) {
    tree = nlohmann::json::object();
  }
  try {
    orrery::config::applySet(tree, text.substr(0, text.find('\n')));
  } catch (const orrery::config::OverrideError&) {
  }

  static const auto specs = [] {
    auto s = orrery::config::coreSectionSpecs();
    s.push_back({"disabled.plugin", nullptr});
    return s;
  }();
  const auto checked = orrery::config::checkConfig(tree, specs, {"alpha", "beta"});
  (void)orrery::config::formatIssues(checked.issues);
  (void)orrery::config::disabledInConfig(tree);
  // Sections are read even when issues were found: fields that failed are simply absent.
  for (const auto& spec : specs) {
    if (spec.schema) readEverything(*spec.schema, checked.sections.at(spec.path));
  }
  return 0;
}
