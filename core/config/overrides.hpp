// `--set a.b.c=value` command-line overrides applied onto a configuration tree.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string_view>

namespace orrery::config {

class OverrideError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Sets the dotted key to the value, creating missing (or null) intermediate maps.
// The value reads like YAML: `[a, b]` and `{k: v}` are flow collections, `"..."`/'...'
// quoted strings, anything else one plain scalar taken literally (so `a: b` or `#x` is
// just text) and resolved like the file's (`10` an integer, `10s` a string, empty null).
// Throws OverrideError naming the assignment: no `=`, empty key or segment, a value that
// is not valid YAML, or an intermediate key that already holds a non-map value.
void applySet(nlohmann::json& tree, std::string_view assignment);

}  // namespace orrery::config
