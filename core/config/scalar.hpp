// YAML 1.2 core-schema resolution of plain (unquoted) scalars into JSON values.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace orrery::config {

// null/Null/NULL/~/empty → null; true/True/TRUE/false/False/FALSE → bool;
// decimal, 0x and 0o integers → int64; decimal floats → double; anything else → string.
// Kept as strings on purpose: `.inf`/`.nan` (JSON has no such numbers and no setting needs
// them) and integers beyond int64 (so a validator shows the operator's exact text).
nlohmann::json resolvePlainScalar(std::string_view text);

}  // namespace orrery::config
