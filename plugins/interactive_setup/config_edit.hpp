// Edits the operator's YAML config file as text, so that everything they wrote (order,
// comments, other sections) survives: a top-level section is replaced by a new block,
// and the lines it replaces stay in the file as a commented backup with a timestamp.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "setup_request.hpp"

namespace orrery::interactive_setup {

// The `data:` section for a chosen connection, as YAML text ending in a newline. Strings
// are written double-quoted with JSON escapes (valid YAML), so any path or secret reads
// back unchanged. `embeddedPath` is the absolute folder for an embedded connection.
std::string dataSectionYaml(const Connection& connection, const std::filesystem::path& embeddedPath);

// `original` with every line of its top-level `section:` block (the key line and the
// indented, blank and comment lines under it, up to the next top-level line) commented
// out under a "replaced on <timestamp>" line, followed by `replacement`; when the section
// is absent, `replacement` is appended at the end. Other lines are kept byte for byte.
std::string replaceTopLevelSection(std::string_view original, std::string_view section,
                                   std::string_view replacement, std::string_view timestamp);

// Whether the connection carries a secret (password or API key): the file then gets
// mode 0600.
bool hasSecrets(const Connection& connection);

}  // namespace orrery::interactive_setup
