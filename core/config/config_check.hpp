// Checks the whole configuration tree: every section against its owner's schema.
#pragma once

#include "core/config/config_issue.hpp"

#include <orrery/config.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace orrery::config {

struct SectionSpec {
  std::string path;                               // dotted: `server`, `xpack.reporting`
  const orrery::ConfigSchema* schema = nullptr;   // null: a disabled or unloaded plugin's
                                                  // section, accepted unchecked
};

struct CheckedConfig {
  std::map<std::string, nlohmann::json> sections;  // by path; normalized, defaults applied
  std::vector<ConfigIssue> issues;                 // sorted by key; empty when valid
};

// Every key of the tree must lead to a section. A section may be written nested, with a
// dotted key at any level (`server.port: 1`), or both, as long as no setting is given
// twice. The `plugins` section also takes `plugins.<id>: {enabled: <bool>}` for each id
// in `pluginIds`. Throws SchemaError for two sections on the same or nested paths, or for
// a schema that contradicts itself.
CheckedConfig checkConfig(const nlohmann::json& tree, const std::vector<SectionSpec>& sections,
                          const std::set<std::string>& pluginIds);

// Plugin ids switched off in the tree (`plugins.<id>.enabled: false`, in any spelling),
// read before plugins are loaded so their sections can be passed unchecked. Only a real
// boolean false counts; checkConfig reports anything else.
std::set<std::string> disabledInConfig(const nlohmann::json& tree);

// `<key>: <message>` per issue, one per line, no trailing newline.
std::string formatIssues(const std::vector<ConfigIssue>& issues);

}  // namespace orrery::config
