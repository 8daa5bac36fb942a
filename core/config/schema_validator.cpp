#include "core/config/schema_validator.hpp"

#include "core/config/field_check.hpp"
#include "core/config/value_format.hpp"

#include <map>
#include <set>

namespace orrery::config {
namespace {

using Json = nlohmann::json;

std::string join(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  if (child.empty()) return std::string(parent);
  return std::string(parent) + "." + std::string(child);
}

bool startsWithSegment(std::string_view text, std::string_view prefix) {
  return text.size() > prefix.size() && text.starts_with(prefix) && text[prefix.size()] == '.';
}

void setNested(Json& root, std::string_view dottedKey, Json value) {
  Json* node = &root;
  std::size_t start = 0;
  for (auto dot = dottedKey.find('.'); dot != std::string_view::npos; dot = dottedKey.find('.', start)) {
    node = &(*node)[std::string(dottedKey.substr(start, dot - start))];
    start = dot + 1;
  }
  (*node)[std::string(dottedKey.substr(start))] = std::move(value);
}

// Gathers the operator's values per declared key from however many pieces and spellings
// they came in, reporting unknown keys and keys given twice on the way.
class Collector {
 public:
  Collector(const orrery::ConfigSchema& schema, std::string_view section) : section_(section) {
    for (const auto& field : schema.fields()) {
      fields_.emplace(field.key, &field);
      for (auto dot = field.key.find('.'); dot != std::string::npos; dot = field.key.find('.', dot + 1)) {
        namespaces_.insert(field.key.substr(0, dot));
      }
    }
  }

  void visit(const std::string& rel, const Json& value) {
    if (rel.empty()) {
      if (value.is_null()) return;
      if (!value.is_object()) {
        issues_.push_back({std::string(section_), "expected a map of settings (known keys: " +
                                                      knownUnder("") + "), got " + describeValue(value)});
        return;
      }
      for (const auto& [key, child] : value.items()) visit(key, child);
      return;
    }
    if (const auto it = fields_.find(rel); it != fields_.end()) {
      recordLeaf(*it->second, value);
      return;
    }
    if (const auto* map = owningStringMap(rel)) {
      recordEntry(*map, rel.substr(map->key.size() + 1), value);
      return;
    }
    if (namespaces_.count(rel)) {
      if (value.is_null()) return;
      if (!value.is_object()) {
        issues_.push_back({full(rel), "expected a map with keys " + knownUnder(rel) + ", got " + describeValue(value)});
        return;
      }
      for (const auto& [key, child] : value.items()) visit(rel + "." + key, child);
      return;
    }
    const auto parent = nearestNamespace(rel);
    const auto known = knownUnder(parent);
    issues_.push_back({full(rel), "unknown key (known keys under " + full(parent) + ": " +
                                      (known.empty() ? "none" : known) + ")"});
  }

  const std::map<std::string, Json>& values() const { return values_; }
  std::vector<ConfigIssue>& issues() { return issues_; }
  std::string full(std::string_view rel) const { return join(section_, rel); }

 private:
  void recordLeaf(const orrery::ConfigField& field, const Json& value) {
    if (field.type == orrery::ConfigType::stringMap && value.is_object()) {
      for (const auto& [entry, item] : value.items()) recordEntry(field, entry, item);
      return;
    }
    if (value.is_null()) return;
    const auto [it, inserted] = values_.emplace(field.key, value);
    if (!inserted) twice(field.key);
  }

  void recordEntry(const orrery::ConfigField& field, const std::string& entry, const Json& item) {
    auto& slot = values_[field.key];
    if (slot.is_null()) slot = Json::object();
    if (!slot.is_object() || slot.contains(entry)) {
      twice(join(field.key, entry));
      return;
    }
    slot[entry] = item;
  }

  void twice(const std::string& rel) {
    issues_.push_back({full(rel), "is set more than once (as nested maps and as a dotted key)"});
  }

  const orrery::ConfigField* owningStringMap(const std::string& rel) const {
    for (auto dot = rel.find('.'); dot != std::string::npos; dot = rel.find('.', dot + 1)) {
      const auto it = fields_.find(rel.substr(0, dot));
      if (it != fields_.end()) {
        return it->second->type == orrery::ConfigType::stringMap ? it->second : nullptr;
      }
    }
    return nullptr;
  }

  std::string nearestNamespace(const std::string& rel) const {
    for (auto dot = rel.rfind('.'); dot != std::string::npos && dot > 0; dot = rel.rfind('.', dot - 1)) {
      const auto prefix = rel.substr(0, dot);
      if (namespaces_.count(prefix)) return prefix;
    }
    return {};
  }

  std::string knownUnder(const std::string& parent) const {
    std::set<std::string> children;
    for (const auto& [key, field] : fields_) {
      if (!parent.empty() && !startsWithSegment(key, parent)) continue;
      const auto rest = parent.empty() ? key : key.substr(parent.size() + 1);
      children.insert(rest.substr(0, rest.find('.')));
    }
    return joinList({children.begin(), children.end()});
  }

  std::string_view section_;
  std::map<std::string, const orrery::ConfigField*> fields_;
  std::set<std::string> namespaces_;
  std::map<std::string, Json> values_;
  std::vector<ConfigIssue> issues_;
};

}  // namespace

ValidatedSection validateSection(const std::vector<SectionPiece>& pieces, const orrery::ConfigSchema& schema,
                                 std::string_view sectionPath) {
  checkSchema(schema, sectionPath);
  Collector collector(schema, sectionPath);
  for (const auto& piece : pieces) {
    if (piece.value) collector.visit(piece.key, *piece.value);
  }

  ValidatedSection result;
  result.issues = std::move(collector.issues());
  for (const auto& field : schema.fields()) {
    const auto it = collector.values().find(field.key);
    const std::string key = collector.full(field.key);
    if (it != collector.values().end()) {
      if (auto normalized = checkField(field, it->second, key, result.issues)) {
        setNested(result.value, field.key, std::move(*normalized));
      }
    } else if (field.defaultValue) {
      setNested(result.value, field.key, defaultToJson(*field.defaultValue));
    } else if (field.required) {
      result.issues.push_back({key, "is required (" + describeForm(field.type) + ")"});
    }
  }
  return result;
}

ValidatedSection validateSection(const nlohmann::json& input, const orrery::ConfigSchema& schema,
                                 std::string_view sectionPath) {
  return validateSection(std::vector<SectionPiece>{{"", &input}}, schema, sectionPath);
}

}  // namespace orrery::config
