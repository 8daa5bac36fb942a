#include "core/config/field_check.hpp"

#include "core/config/units.hpp"
#include "core/config/value_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <variant>

namespace orrery::config {
namespace {

using orrery::ConfigType;
using Json = nlohmann::json;

std::optional<std::int64_t> asInt64(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(n);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

class Checker {
 public:
  Checker(const orrery::ConfigField& field, const std::string& key, std::vector<ConfigIssue>& issues)
      : field_(field), key_(key), issues_(issues) {}

  std::optional<Json> run(const Json& value) {
    switch (field_.type) {
      case ConfigType::boolean:
        if (value.is_boolean()) return value;
        return wrongType(value);
      case ConfigType::integer: {
        const auto n = asInt64(value);
        if (!n) return wrongType(value);
        return inRange(static_cast<double>(*n), std::to_string(*n)) ? std::optional<Json>(*n) : std::nullopt;
      }
      case ConfigType::number: {
        if (!value.is_number()) return wrongType(value);
        const double d = value.get<double>();
        return inRange(d, Json(d).dump()) ? std::optional<Json>(value) : std::nullopt;
      }
      case ConfigType::string:
        if (!value.is_string()) return wrongType(value);
        return allowed(value, key_) ? std::optional<Json>(value) : std::nullopt;
      case ConfigType::duration:
      case ConfigType::bytes: return unitValue(value);
      case ConfigType::stringList: return stringList(value);
      case ConfigType::stringMap: return stringMap(value);
    }
    return wrongType(value);
  }

 private:
  std::string expectedForm() const {
    if (!field_.oneOf.empty() && field_.type == ConfigType::string) return describeOneOf(field_.oneOf);
    return describeForm(field_.type);
  }

  std::nullopt_t wrongType(const Json& value) {
    issues_.push_back({key_, "expected " + expectedForm() + ", got " + describeValue(value)});
    return std::nullopt;
  }

  bool inRange(double value, const std::string& shown) {
    if ((field_.min && value < *field_.min) || (field_.max && value > *field_.max)) {
      issues_.push_back({key_, "expected " + describeNoun(field_.type) + " " + describeRange(field_) + ", got " + shown});
      return false;
    }
    return true;
  }

  bool allowed(const Json& value, const std::string& key) {
    if (field_.oneOf.empty()) return true;
    const auto& text = value.get_ref<const std::string&>();
    if (std::find(field_.oneOf.begin(), field_.oneOf.end(), text) != field_.oneOf.end()) return true;
    issues_.push_back({key, "expected " + describeOneOf(field_.oneOf) + ", got " + describeValue(value)});
    return false;
  }

  // A unit string, or a non-negative integer already in ms / bytes. Strings holding bare
  // digits are refused like any other string without a unit: no coercion of text.
  std::optional<Json> unitValue(const Json& value) {
    std::optional<std::int64_t> amount;
    if (value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      if (field_.type == ConfigType::duration) {
        if (const auto d = parseDuration(text)) amount = d->count();
      } else {
        amount = parseByteSize(text);
      }
    } else if (value.is_number_integer()) {
      amount = asInt64(value);
      if (amount && *amount < 0) amount.reset();
    }
    if (!amount) return wrongType(value);
    if (!inRange(static_cast<double>(*amount), formatLimit(field_.type, static_cast<double>(*amount)))) {
      return std::nullopt;
    }
    return Json(*amount);
  }

  std::optional<Json> stringList(const Json& value) {
    if (!value.is_array()) return wrongType(value);
    for (const auto& item : value) {
      if (!item.is_string()) return wrongType(value);
    }
    bool ok = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
      ok = allowed(value[i], key_ + "[" + std::to_string(i) + "]") && ok;
    }
    return ok ? std::optional<Json>(value) : std::nullopt;
  }

  // Nested maps read as dotted entry keys, so `--set logging.loggers.plugins.foo=debug`
  // (which builds nested maps) means the logger `plugins.foo`. Null entries are unset.
  void flattenEntries(const Json& object, const std::string& prefix, Json& out, bool& ok) {
    for (const auto& [name, item] : object.items()) {
      const std::string entry = prefix.empty() ? name : prefix + "." + name;
      if (item.is_null()) continue;
      if (item.is_object()) {
        flattenEntries(item, entry, out, ok);
        continue;
      }
      const std::string key = key_ + "." + entry;
      if (out.contains(entry)) {
        issues_.push_back({key, "is set more than once (as nested maps and as a dotted key)"});
        ok = false;
        continue;
      }
      if (!item.is_string()) {
        const std::string form = field_.oneOf.empty() ? "a string" : describeOneOf(field_.oneOf);
        issues_.push_back({key, "expected " + form + ", got " + describeValue(item)});
        ok = false;
        continue;
      }
      if (!allowed(item, key)) {
        ok = false;
        continue;
      }
      out[entry] = item;
    }
  }

  std::optional<Json> stringMap(const Json& value) {
    if (!value.is_object()) return wrongType(value);
    Json out = Json::object();
    bool ok = true;
    flattenEntries(value, "", out, ok);
    return ok ? std::optional<Json>(std::move(out)) : std::nullopt;
  }

  const orrery::ConfigField& field_;
  const std::string& key_;
  std::vector<ConfigIssue>& issues_;
};

}  // namespace

std::optional<nlohmann::json> checkField(const orrery::ConfigField& field, const nlohmann::json& value,
                                         const std::string& fullKey, std::vector<ConfigIssue>& issues) {
  return Checker(field, fullKey, issues).run(value);
}

nlohmann::json defaultToJson(const orrery::ConfigValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

}  // namespace orrery::config
