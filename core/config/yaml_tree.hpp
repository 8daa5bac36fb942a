// Reads configuration YAML into a JSON tree, with positions in every error.
#pragma once

#include "core/config/config_file_error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace orrery::config {

// Bounds that keep hostile input (alias bombs, `[[[[...`) from exhausting stack or memory.
struct YamlLimits {
  std::size_t maxDepth = 64;          // nested maps/lists
  std::size_t maxNodes = 1'000'000;   // values after expanding aliases
  std::size_t maxFileBytes = 16u << 20;
};

// One YAML document → JSON. Maps become objects with string keys, lists become arrays,
// plain scalars resolve as in resolvePlainScalar (core/config/scalar.hpp), quoted scalars
// and `!!str` stay strings. An empty document is null.
// Throws ConfigFileError (`<source>:<line>:<col>: <problem>`) for syntax errors, duplicate
// keys in one map, non-scalar or alias keys, unsupported tags, more than one document and
// exceeded limits.
nlohmann::json parseYaml(std::string_view text, const std::string& source, const YamlLimits& limits = {});

// parseYaml on a file's contents, the path as given naming the source. An unreadable file
// is a ConfigFileError naming the path and the system's reason.
nlohmann::json loadYamlFile(const std::filesystem::path& file, const YamlLimits& limits = {});

}  // namespace orrery::config
