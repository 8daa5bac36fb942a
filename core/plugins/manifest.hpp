// A plugin manifest: the JSON file beside a plugin library that says what the plugin is
// (id, version, type), which SDKs it was built for, where its library is, what it
// depends on and where its configuration lives. It is read before any plugin code runs,
// so everything here is checked strictly and every refusal names the file and field.
// manifests/manifest.schema.json describes the same format for editors; a unit test
// keeps the two in agreement.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/plugins/manifest_error.hpp"
#include "core/plugins/semver.hpp"

namespace orrery::plugins {

// Preboot plugins run before the main server (first-run setup); they have setup and stop
// only and may depend only on other preboot plugins.
enum class PluginType { preboot, standard };

// "preboot" or "standard", as in manifests and log lines.
std::string_view pluginTypeName(PluginType type);

inline constexpr std::size_t kMaxPluginIdLength = 64;

// Manifests are a few hundred bytes; the cap keeps a stray large file from being read.
inline constexpr std::size_t kMaxManifestBytes = 1024 * 1024;

struct Manifest {
  std::string id;                    // ^[a-z][a-z0-9_]*$, at most 64 characters
  Version version;                   // the plugin's own version
  std::string sdkVersion;            // the range as written, e.g. "^1.0.0"
  VersionRange sdkRange;             // sdkVersion parsed; the loader checks the host SDK
  PluginType type = PluginType::standard;
  std::string library;               // as written, relative to the manifest's folder
  std::filesystem::path libraryPath; // absolute and normalized
  std::vector<std::string> requiredPlugins;  // ids, as declared, no duplicates
  std::vector<std::string> optionalPlugins;  // ids, none also in requiredPlugins
  std::string configPath;            // dotted, defaults to id; never server/path/logging/plugins
  std::string description;
  std::string owner;
  std::filesystem::path file;        // the manifest file, as given to the parser
};

using ManifestResult = std::variant<Manifest, ManifestError>;

// Parses manifest text. `file` names the manifest in errors and anchors `library`: the
// library path is resolved against file's folder (made absolute from the working
// directory when relative). Never throws for bad input.
ManifestResult parseManifest(std::string_view text, const std::filesystem::path& file);

// Reads and parses one manifest file; an unreadable or oversized file is a ManifestError.
ManifestResult loadManifest(const std::filesystem::path& file);

}  // namespace orrery::plugins
