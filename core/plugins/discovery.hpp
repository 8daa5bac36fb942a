// Plugin discovery: finds the manifests in the configured plugin folders and parses
// them. It never stops at the first problem; every missing folder, unreadable file and
// invalid manifest is collected so that an operator sees them all in one start.
#pragma once

#include <filesystem>
#include <vector>

#include "core/plugins/manifest.hpp"

namespace orrery::plugins {

struct DiscoveryResult {
  // Valid manifests: folders in the order given, files in byte-wise filename order.
  std::vector<Manifest> manifests;
  // Folder errors carry the folder as `file` and no field.
  std::vector<ManifestError> errors;
};

// Scans each folder, not its subfolders, for regular files named *.json, except
// *.schema.json (the schema editors use) and hidden files (editors' lock and backup
// files start with a dot). A folder given twice (same canonical path) is scanned once.
DiscoveryResult discover(const std::vector<std::filesystem::path>& folders);

}  // namespace orrery::plugins
