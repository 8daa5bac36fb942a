// How expected forms, limits and operator values are written in configuration messages.
#pragma once

#include <orrery/config.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace orrery::config {

// `a duration such as 500ms, 5s, 5m, 7d`; the full form a type-mismatch message expects.
std::string describeForm(orrery::ConfigType type);

// `a duration`; the noun a range message puts before its bounds.
std::string describeNoun(orrery::ConfigType type);

// The type's name as a plugin author wrote it (`duration`, `stringList`).
std::string typeName(orrery::ConfigType type);

// A bound or number in the type's units (`10s`, `64kb`, `5`, `0.5`).
std::string formatLimit(orrery::ConfigType type, double value);

// `between 1ms and 10s`, `of at least 1ms`, `of at most 10s`; empty when unbounded.
std::string describeRange(const orrery::ConfigField& field);

// `one of: a, b, c`.
std::string describeOneOf(const std::vector<std::string>& allowed);

// A JSON value as shown in messages: compact, invalid UTF-8 replaced, cut to 60 bytes.
std::string describeValue(const nlohmann::json& value);

// `a, b, c`.
std::string joinList(const std::vector<std::string>& items);

}  // namespace orrery::config
