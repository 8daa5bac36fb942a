// Validates one configuration section against the ConfigSchema its owner declared.
#pragma once

#include "core/config/config_issue.hpp"
#include "core/config/schema_check.hpp"

#include <orrery/config.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace orrery::config {

// A value found for a section, at `key` relative to it ("" is the section itself). The
// same setting can arrive in several pieces: nested maps, dotted keys (`tls.cert: x`) or
// a dotted key at the root (`server.port: 1`); giving one setting twice is an issue.
struct SectionPiece {
  std::string key;
  const nlohmann::json* value = nullptr;
};

struct ValidatedSection {
  // Every declared key that has a value or a default, nested by its dots (`tls.cert` →
  // {"tls":{"cert":..}}); durations as integer milliseconds, byte sizes as integer bytes.
  nlohmann::json value = nlohmann::json::object();
  std::vector<ConfigIssue> issues;
};

// Checks the schema first (SchemaError), then the values. Absent or null input reads as an
// empty section; a null value for a key reads as unset, so its default applies.
ValidatedSection validateSection(const nlohmann::json& input, const orrery::ConfigSchema& schema,
                                 std::string_view sectionPath);
ValidatedSection validateSection(const std::vector<SectionPiece>& pieces, const orrery::ConfigSchema& schema,
                                 std::string_view sectionPath);

}  // namespace orrery::config
