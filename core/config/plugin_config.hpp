// The host's implementation of orrery::PluginConfig over a validated section.
#pragma once

#include <orrery/config.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

namespace orrery::config {

// Reads the normalized JSON that validateSection produced for the same schema. Getters
// throw orrery::ConfigError naming the key for an undeclared key, a key declared with
// another type, or an optional key left unset (check has() first).
class JsonPluginConfig final : public orrery::PluginConfig {
 public:
  JsonPluginConfig(const orrery::ConfigSchema& schema, nlohmann::json section, std::string sectionPath = {});

  bool has(std::string_view key) const override;
  bool getBool(std::string_view key) const override;
  std::int64_t getInt(std::string_view key) const override;
  double getNumber(std::string_view key) const override;
  std::string getString(std::string_view key) const override;
  std::chrono::milliseconds getDuration(std::string_view key) const override;
  std::int64_t getBytes(std::string_view key) const override;
  std::vector<std::string> getStringList(std::string_view key) const override;
  std::map<std::string, std::string> getStringMap(std::string_view key) const override;
  std::string toJson() const override;

 private:
  const nlohmann::json& lookup(std::string_view key, orrery::ConfigType asked) const;
  const nlohmann::json* find(std::string_view key) const;
  std::string describe(std::string_view key) const;

  std::map<std::string, orrery::ConfigType, std::less<>> types_;
  nlohmann::json section_;
  std::string sectionPath_;
};

}  // namespace orrery::config
