// Whole-file reads and crash-safe writes for the plugin's small state files (the users
// file, the API key file). A write goes to a temporary file in the same folder, is
// flushed, then renamed over the target: readers and a crash see the old file or the new
// one, never half of either.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::security {

// The file's content, or nullopt when it does not exist; throws on any other error.
std::optional<std::string> readFileIfExists(const std::filesystem::path& path);

// Replaces `path` with `content`, creating missing parent folders (mode 0700, since they
// hold secrets). The new file has `mode` (0600 by default: password hashes and key
// digests are for the owner only). Throws std::system_error naming the path.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content, mode_t mode = 0600);

}  // namespace orrery::security
