#include "core/config/schema_check.hpp"

#include "core/config/value_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <variant>

namespace orrery::config {
namespace {

using orrery::ConfigField;
using orrery::ConfigType;
using orrery::ConfigValue;

class FieldChecker {
 public:
  FieldChecker(std::string_view section, const ConfigField& field) : section_(section), field_(field) {}

  void check() const {
    checkKey();
    checkType();
    checkBounds();
    checkOneOf();
    if (field_.required && field_.defaultValue) fail("a required key cannot have a default");
    if (field_.defaultValue) checkDefault(*field_.defaultValue);
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw SchemaError("config schema of '" + std::string(section_) + "': field '" + field_.key + "': " + problem);
  }

  void checkKey() const {
    if (field_.key.empty()) fail("the key is empty");
    if (field_.key.front() == '.' || field_.key.back() == '.' || field_.key.find("..") != std::string::npos) {
      fail("the key has an empty segment");
    }
  }

  void checkType() const {
    switch (field_.type) {
      case ConfigType::boolean:
      case ConfigType::integer:
      case ConfigType::number:
      case ConfigType::string:
      case ConfigType::duration:
      case ConfigType::bytes:
      case ConfigType::stringList:
      case ConfigType::stringMap: return;
    }
    fail("unknown type " + std::to_string(static_cast<int>(field_.type)));
  }

  bool ordered() const {
    return field_.type == ConfigType::integer || field_.type == ConfigType::number ||
           field_.type == ConfigType::duration || field_.type == ConfigType::bytes;
  }

  void checkBounds() const {
    if (!field_.min && !field_.max) return;
    if (!ordered()) fail("min/max apply only to integer, number, duration and bytes fields");
    if ((field_.min && std::isnan(*field_.min)) || (field_.max && std::isnan(*field_.max))) {
      fail("a bound is not a number");
    }
    if (field_.min && field_.max && *field_.min > *field_.max) {
      fail("min " + formatLimit(field_.type, *field_.min) + " is above max " + formatLimit(field_.type, *field_.max));
    }
  }

  void checkOneOf() const {
    if (field_.oneOf.empty()) return;
    if (field_.type != ConfigType::string && field_.type != ConfigType::stringList &&
        field_.type != ConfigType::stringMap) {
      fail("oneOf applies only to string, stringList and stringMap fields");
    }
  }

  void checkAllowed(const std::string& value) const {
    if (field_.oneOf.empty()) return;
    if (std::find(field_.oneOf.begin(), field_.oneOf.end(), value) == field_.oneOf.end()) {
      fail("default '" + value + "' is not " + describeOneOf(field_.oneOf));
    }
  }

  void checkDefaultInRange(double value) const {
    if (field_.min && value < *field_.min) {
      fail("default " + formatLimit(field_.type, value) + " is below the minimum " +
           formatLimit(field_.type, *field_.min));
    }
    if (field_.max && value > *field_.max) {
      fail("default " + formatLimit(field_.type, value) + " is above the maximum " +
           formatLimit(field_.type, *field_.max));
    }
  }

  [[noreturn]] void wrongDefault() const { fail("the default is not of the declared type " + typeName(field_.type)); }

  void checkDefault(const ConfigValue& value) const {
    switch (field_.type) {
      case ConfigType::boolean:
        if (!std::holds_alternative<bool>(value)) wrongDefault();
        return;
      case ConfigType::integer:
      case ConfigType::duration:
      case ConfigType::bytes: {
        const auto* n = std::get_if<std::int64_t>(&value);
        if (!n) wrongDefault();
        if (field_.type != ConfigType::integer && *n < 0) fail("the default is negative");
        checkDefaultInRange(static_cast<double>(*n));
        return;
      }
      case ConfigType::number: {
        double n = 0;
        if (const auto* d = std::get_if<double>(&value)) {
          n = *d;
        } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
          n = static_cast<double>(*i);
        } else {
          wrongDefault();
        }
        if (!std::isfinite(n)) fail("the default is not a finite number");
        checkDefaultInRange(n);
        return;
      }
      case ConfigType::string: {
        const auto* s = std::get_if<std::string>(&value);
        if (!s) wrongDefault();
        checkAllowed(*s);
        return;
      }
      case ConfigType::stringList: {
        const auto* list = std::get_if<std::vector<std::string>>(&value);
        if (!list) wrongDefault();
        for (const auto& item : *list) checkAllowed(item);
        return;
      }
      case ConfigType::stringMap: {
        const auto* map = std::get_if<std::map<std::string, std::string>>(&value);
        if (!map) wrongDefault();
        for (const auto& [key, item] : *map) checkAllowed(item);
        return;
      }
    }
  }

  std::string_view section_;
  const ConfigField& field_;
};

}  // namespace

void checkSchema(const orrery::ConfigSchema& schema, std::string_view sectionPath) {
  std::set<std::string> keys;
  for (const auto& field : schema.fields()) {
    FieldChecker(sectionPath, field).check();
    if (!keys.insert(field.key).second) {
      throw SchemaError("config schema of '" + std::string(sectionPath) + "': field '" + field.key +
                        "' is declared twice");
    }
  }
  for (const auto& key : keys) {
    for (auto dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
      const auto prefix = key.substr(0, dot);
      if (keys.count(prefix)) {
        throw SchemaError("config schema of '" + std::string(sectionPath) + "': field '" + prefix +
                          "' is a value and also the parent of field '" + key + "'");
      }
    }
  }
}

}  // namespace orrery::config
