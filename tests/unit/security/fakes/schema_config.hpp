// A PluginConfig made of a schema's defaults plus overrides: what the host would hand a
// plugin whose operator set only the overridden keys.
#pragma once

#include <map>
#include <orrery/config.hpp>
#include <string>

namespace orrery::security::test {

class SchemaConfig final : public PluginConfig {
 public:
  explicit SchemaConfig(const ConfigSchema& schema, std::map<std::string, ConfigValue> overrides = {}) {
    for (const auto& field : schema.fields()) {
      if (field.defaultValue) values_[field.key] = *field.defaultValue;
    }
    for (auto& [key, value] : overrides) {
      if (!values_.count(key)) throw ConfigError("override of undeclared key " + key);
      values_[key] = std::move(value);
    }
  }

  bool has(std::string_view key) const override { return values_.count(std::string(key)) > 0; }
  bool getBool(std::string_view key) const override { return get<bool>(key); }
  std::int64_t getInt(std::string_view key) const override { return get<std::int64_t>(key); }
  double getNumber(std::string_view key) const override { return get<double>(key); }
  std::string getString(std::string_view key) const override { return get<std::string>(key); }
  std::chrono::milliseconds getDuration(std::string_view key) const override {
    return std::chrono::milliseconds(get<std::int64_t>(key));
  }
  std::int64_t getBytes(std::string_view key) const override { return get<std::int64_t>(key); }
  std::vector<std::string> getStringList(std::string_view key) const override {
    return get<std::vector<std::string>>(key);
  }
  std::map<std::string, std::string> getStringMap(std::string_view key) const override {
    return get<std::map<std::string, std::string>>(key);
  }
  std::string toJson() const override { return "{}"; }

 private:
  template <class T>
  T get(std::string_view key) const {
    const auto it = values_.find(std::string(key));
    if (it == values_.end()) throw ConfigError("undeclared key " + std::string(key));
    if (const auto* value = std::get_if<T>(&it->second)) return *value;
    throw ConfigError("key " + std::string(key) + " read with another type");
  }

  std::map<std::string, ConfigValue> values_;
};

}  // namespace orrery::security::test
