#include "core/config/config_loader.hpp"

#include "core/config/overrides.hpp"
#include "core/config/yaml_tree.hpp"

#include <system_error>

namespace orrery::config {

RawConfig loadRaw(std::optional<std::filesystem::path> file, const std::vector<std::string>& sets,
                  const std::filesystem::path& defaultFile) {
  RawConfig raw;
  if (!file) {
    // exists() clears `ec` for a plain "not there"; any other failure (a folder we may not
    // search) is left to the read below, so the operator sees the system's reason.
    std::error_code ec;
    if (std::filesystem::exists(defaultFile, ec) || ec) {
      file = defaultFile;
    } else {
      raw.usedDefaults = true;
    }
  }
  if (file) {
    auto tree = loadYamlFile(*file);
    if (!tree.is_null() && !tree.is_object()) {
      throw ConfigFileError(file->string(),
                            std::string("the configuration must be a map of settings, not ") + tree.type_name());
    }
    if (tree.is_object()) raw.tree = std::move(tree);
    raw.file = std::move(file);
  }
  for (const auto& set : sets) applySet(raw.tree, set);
  return raw;
}

}  // namespace orrery::config
