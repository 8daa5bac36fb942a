// A plugin's configuration: the schema it declares and the validated values it reads.
//
// A plugin declares its section (at the manifest's `configPath`) with a static
// function the export macro finds on its own:
//
//   static void describeConfig(orrery::ConfigSchema& schema) {
//     schema.duration("pollInterval", std::chrono::milliseconds(500), {.min = 10ms})
//           .integer("capacity", 10, {.min = 1, .max = 1000})
//           .string("mode", "fast", {"fast", "safe"})
//           .bytes("maxBody", 10 * 1024 * 1024);
//   }
//
// The host validates the operator's YAML against it before any plugin runs: unknown
// keys, wrong types and values out of range stop the host (exit code 78) with a message
// naming the key and the expected form. Defaults fill what the operator left out, so a
// getter for a declared key never fails. Keys may be dotted (`tls.certificate`), which
// reads as nested YAML maps.
//
// Accepted forms: durations `250ms`, `5s`, `5m`, `2h`, `7d` (a bare integer is
// milliseconds); byte sizes `512b`, `64kb`, `10mb`, `1gb` (powers of 1024; a bare
// integer is bytes).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace orrery {

enum class ConfigType { boolean, integer, number, string, duration, bytes, stringList, stringMap };

// A default or validated value. Durations are held as milliseconds (std::int64_t),
// byte sizes as bytes (std::int64_t).
using ConfigValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>,
                                 std::map<std::string, std::string>>;

// Initialized members, so `{.min = 1}` compiles cleanly under -Wextra in plugins.
template <class T>
struct ConfigRange {
  std::optional<T> min{};
  std::optional<T> max{};
};

struct ConfigField {
  std::string key;
  ConfigType type = ConfigType::string;
  std::optional<ConfigValue> defaultValue;  // absent: the key is optional unless required
  bool required = false;
  std::optional<double> min;           // numbers; durations in ms; bytes in bytes
  std::optional<double> max;
  std::vector<std::string> oneOf;      // allowed strings (string fields; map values)
  std::string description;
};

// Built by a plugin in describeConfig; a plain value the host reads.
//
// The helpers append a field and fill it in place (rather than aggregate-initialising a
// ConfigField from temporaries), which keeps g++ 12's -Wmaybe-uninitialized quiet in
// sanitizer builds of plugins.
class ConfigSchema {
 public:
  ConfigSchema& boolean(std::string key, bool def, std::string description = {}) {
    field(std::move(key), ConfigType::boolean, std::move(description))
        .defaultValue.emplace(std::in_place_type<bool>, def);
    return *this;
  }
  ConfigSchema& integer(std::string key, std::int64_t def, ConfigRange<std::int64_t> range = {},
                        std::string description = {}) {
    ConfigField& f = field(std::move(key), ConfigType::integer, std::move(description));
    f.defaultValue.emplace(std::in_place_type<std::int64_t>, def);
    f.min = toDouble(range.min);
    f.max = toDouble(range.max);
    return *this;
  }
  ConfigSchema& number(std::string key, double def, ConfigRange<double> range = {},
                       std::string description = {}) {
    ConfigField& f = field(std::move(key), ConfigType::number, std::move(description));
    f.defaultValue.emplace(std::in_place_type<double>, def);
    f.min = range.min;
    f.max = range.max;
    return *this;
  }
  ConfigSchema& string(std::string key, std::string def, std::vector<std::string> oneOf = {},
                       std::string description = {}) {
    ConfigField& f = field(std::move(key), ConfigType::string, std::move(description));
    f.defaultValue.emplace(std::in_place_type<std::string>, std::move(def));
    f.oneOf = std::move(oneOf);
    return *this;
  }
  ConfigSchema& duration(std::string key, std::chrono::milliseconds def,
                         ConfigRange<std::chrono::milliseconds> range = {},
                         std::string description = {}) {
    ConfigField& f = field(std::move(key), ConfigType::duration, std::move(description));
    f.defaultValue.emplace(std::in_place_type<std::int64_t>, def.count());
    f.min = toDouble(range.min);
    f.max = toDouble(range.max);
    return *this;
  }
  ConfigSchema& bytes(std::string key, std::int64_t def, ConfigRange<std::int64_t> range = {},
                      std::string description = {}) {
    ConfigField& f = field(std::move(key), ConfigType::bytes, std::move(description));
    f.defaultValue.emplace(std::in_place_type<std::int64_t>, def);
    f.min = toDouble(range.min);
    f.max = toDouble(range.max);
    return *this;
  }
  ConfigSchema& stringList(std::string key, std::vector<std::string> def,
                           std::string description = {}) {
    field(std::move(key), ConfigType::stringList, std::move(description))
        .defaultValue.emplace(std::in_place_type<std::vector<std::string>>, std::move(def));
    return *this;
  }
  // A map of free-form keys to strings (e.g. per-logger levels); `oneOf` limits values.
  ConfigSchema& stringMap(std::string key, std::vector<std::string> oneOf = {},
                          std::string description = {}) {
    ConfigField& f = field(std::move(key), ConfigType::stringMap, std::move(description));
    f.defaultValue.emplace(std::in_place_type<std::map<std::string, std::string>>);
    f.oneOf = std::move(oneOf);
    return *this;
  }
  // A key with no default: absent unless the operator sets it (check with has()).
  ConfigSchema& optional(std::string key, ConfigType type, std::string description = {}) {
    field(std::move(key), type, std::move(description));
    return *this;
  }
  // A key the operator must set.
  ConfigSchema& required(std::string key, ConfigType type, std::string description = {}) {
    field(std::move(key), type, std::move(description)).required = true;
    return *this;
  }
  // Any field, for constraints the helpers above do not spell.
  ConfigSchema& add(ConfigField field) {
    fields_.push_back(std::move(field));
    return *this;
  }

  const std::vector<ConfigField>& fields() const { return fields_; }

 private:
  ConfigField& field(std::string key, ConfigType type, std::string description) {
    ConfigField& f = fields_.emplace_back();
    f.key = std::move(key);
    f.type = type;
    f.description = std::move(description);
    return f;
  }

  template <class T>
  static std::optional<double> toDouble(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
      return static_cast<double>(v->count());
    } else {
      return static_cast<double>(*v);
    }
  }

  std::vector<ConfigField> fields_;
};

// Asking for an undeclared key, or a declared key under another type: a bug in the
// calling plugin, not bad operator input.
class ConfigError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// The validated section, defaults applied. Implemented by the host.
class PluginConfig {
 public:
  virtual ~PluginConfig() = default;

  virtual bool has(std::string_view key) const = 0;
  virtual bool getBool(std::string_view key) const = 0;
  virtual std::int64_t getInt(std::string_view key) const = 0;
  virtual double getNumber(std::string_view key) const = 0;
  virtual std::string getString(std::string_view key) const = 0;
  virtual std::chrono::milliseconds getDuration(std::string_view key) const = 0;
  virtual std::int64_t getBytes(std::string_view key) const = 0;
  virtual std::vector<std::string> getStringList(std::string_view key) const = 0;
  virtual std::map<std::string, std::string> getStringMap(std::string_view key) const = 0;
  // The whole validated section as a JSON text, for plugins that hand it on.
  virtual std::string toJson() const = 0;
};

}  // namespace orrery
