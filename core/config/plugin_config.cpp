#include "core/config/plugin_config.hpp"

#include "core/config/value_format.hpp"

namespace orrery::config {

using orrery::ConfigError;
using orrery::ConfigType;

JsonPluginConfig::JsonPluginConfig(const orrery::ConfigSchema& schema, nlohmann::json section,
                                   std::string sectionPath)
    : section_(std::move(section)), sectionPath_(std::move(sectionPath)) {
  for (const auto& field : schema.fields()) types_.emplace(field.key, field.type);
  if (section_.is_null()) section_ = nlohmann::json::object();
}

std::string JsonPluginConfig::describe(std::string_view key) const {
  return "config key '" + (sectionPath_.empty() ? "" : sectionPath_ + ".") + std::string(key) + "'";
}

const nlohmann::json* JsonPluginConfig::find(std::string_view key) const {
  const nlohmann::json* node = &section_;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto segment = std::string(key.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (!node->is_object()) return nullptr;
    const auto it = node->find(segment);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) return node->is_null() ? nullptr : node;
    start = dot + 1;
  }
}

const nlohmann::json& JsonPluginConfig::lookup(std::string_view key, ConfigType asked) const {
  const auto it = types_.find(key);
  if (it == types_.end()) throw ConfigError(describe(key) + " is not declared in the plugin's config schema");
  if (it->second != asked) {
    throw ConfigError(describe(key) + " is declared as " + typeName(it->second) + ", not read as " + typeName(asked));
  }
  const auto* value = find(key);
  if (!value) throw ConfigError(describe(key) + " is optional and not set; check has() first");
  return *value;
}

namespace {
// The section came from validateSection, so a type mismatch here means the host passed
// JSON that was never validated; still a ConfigError rather than nlohmann's exception.
template <class T>
T convert(const nlohmann::json& value, const std::string& what) {
  try {
    return value.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(what + " holds an unvalidated value: " + e.what());
  }
}
}  // namespace

bool JsonPluginConfig::has(std::string_view key) const { return types_.count(key) && find(key) != nullptr; }

bool JsonPluginConfig::getBool(std::string_view key) const {
  const auto& v = lookup(key, ConfigType::boolean);
  if (!v.is_boolean()) throw ConfigError(describe(key) + " holds an unvalidated value");
  return v.get<bool>();
}

std::int64_t JsonPluginConfig::getInt(std::string_view key) const {
  const auto& v = lookup(key, ConfigType::integer);
  if (!v.is_number_integer()) throw ConfigError(describe(key) + " holds an unvalidated value");
  return convert<std::int64_t>(v, describe(key));
}

double JsonPluginConfig::getNumber(std::string_view key) const {
  const auto& v = lookup(key, ConfigType::number);
  if (!v.is_number()) throw ConfigError(describe(key) + " holds an unvalidated value");
  return v.get<double>();
}

std::string JsonPluginConfig::getString(std::string_view key) const {
  return convert<std::string>(lookup(key, ConfigType::string), describe(key));
}

std::chrono::milliseconds JsonPluginConfig::getDuration(std::string_view key) const {
  const auto& v = lookup(key, ConfigType::duration);
  if (!v.is_number_integer()) throw ConfigError(describe(key) + " holds an unvalidated value");
  return std::chrono::milliseconds(convert<std::int64_t>(v, describe(key)));
}

std::int64_t JsonPluginConfig::getBytes(std::string_view key) const {
  const auto& v = lookup(key, ConfigType::bytes);
  if (!v.is_number_integer()) throw ConfigError(describe(key) + " holds an unvalidated value");
  return convert<std::int64_t>(v, describe(key));
}

std::vector<std::string> JsonPluginConfig::getStringList(std::string_view key) const {
  return convert<std::vector<std::string>>(lookup(key, ConfigType::stringList), describe(key));
}

std::map<std::string, std::string> JsonPluginConfig::getStringMap(std::string_view key) const {
  return convert<std::map<std::string, std::string>>(lookup(key, ConfigType::stringMap), describe(key));
}

std::string JsonPluginConfig::toJson() const {
  return section_.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace orrery::config
