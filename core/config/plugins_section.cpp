#include "core/config/plugins_section.hpp"

#include "core/config/value_format.hpp"

#include <map>

namespace orrery::config {
namespace {

// `enabled` is declared optional and defaulted below rather than with boolean(): moving a
// ConfigValue holding a bool trips a false -Wmaybe-uninitialized in g++ 12 with
// -fsanitize=address, which -Werror would turn into a failed sanitizer build.
orrery::ConfigSchema pluginSwitchSchema() {
  orrery::ConfigSchema schema;
  schema.optional("enabled", orrery::ConfigType::boolean, "false keeps the plugin out of this run");
  return schema;
}

std::string firstSegment(std::string_view key) { return std::string(key.substr(0, key.find('.'))); }

}  // namespace

ValidatedSection validatePluginsSection(const std::vector<SectionPiece>& pieces, const orrery::ConfigSchema& schema,
                                        const std::set<std::string>& pluginIds) {
  const std::string section(kPluginsSection);
  checkSchema(schema, section);
  std::set<std::string> schemaHeads;
  for (const auto& field : schema.fields()) schemaHeads.insert(firstSegment(field.key));

  // One piece per key directly under `plugins`, so each can be routed by its first segment.
  std::vector<SectionPiece> flat;
  for (const auto& piece : pieces) {
    if (!piece.key.empty() || !piece.value->is_object()) {
      flat.push_back(piece);
      continue;
    }
    for (const auto& [key, child] : piece.value->items()) flat.push_back({key, &child});
  }

  std::vector<SectionPiece> own;
  std::map<std::string, std::vector<SectionPiece>> perPlugin;
  std::set<std::string> unknown;
  for (const auto& piece : flat) {
    const auto head = firstSegment(piece.key);
    if (piece.key.empty() || schemaHeads.count(head)) {
      own.push_back(piece);
    } else if (pluginIds.count(head)) {
      perPlugin[head].push_back({piece.key.size() > head.size() ? piece.key.substr(head.size() + 1) : "", piece.value});
    } else {
      unknown.insert(head);
    }
  }

  auto result = validateSection(own, schema, section);
  for (const auto& id : unknown) {
    const std::string known = joinList({pluginIds.begin(), pluginIds.end()});
    result.issues.push_back({section + "." + id, "unknown plugin '" + id + "' (discovered plugins: " +
                                                     (known.empty() ? "none" : known) + ")"});
  }
  const auto switchSchema = pluginSwitchSchema();
  for (const auto& [id, idPieces] : perPlugin) {
    auto validated = validateSection(idPieces, switchSchema, section + "." + id);
    if (!validated.value.contains("enabled")) validated.value["enabled"] = true;
    result.value[id] = std::move(validated.value);
    result.issues.insert(result.issues.end(), validated.issues.begin(), validated.issues.end());
  }
  return result;
}

}  // namespace orrery::config
