// Checks and normalizes the operator's value for one declared field.
#pragma once

#include "core/config/config_issue.hpp"

#include <orrery/config.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace orrery::config {

// The value in its normalized form (durations as integer ms, byte sizes as integer bytes,
// integral doubles as integers), or nullopt with the reasons appended to `issues`, keyed
// by `fullKey` (or below it, for list items and map entries). `value` is not null.
std::optional<nlohmann::json> checkField(const orrery::ConfigField& field, const nlohmann::json& value,
                                         const std::string& fullKey, std::vector<ConfigIssue>& issues);

// The normalized JSON form of a schema default.
nlohmann::json defaultToJson(const orrery::ConfigValue& value);

}  // namespace orrery::config
