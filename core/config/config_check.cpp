#include "core/config/config_check.hpp"

#include "core/config/plugins_section.hpp"
#include "core/config/schema_validator.hpp"
#include "core/config/value_format.hpp"

#include <algorithm>

namespace orrery::config {
namespace {

using Json = nlohmann::json;

std::string join(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  return std::string(parent) + "." + std::string(child);
}

bool startsWithSegment(std::string_view text, std::string_view prefix) {
  return text.size() > prefix.size() && text.starts_with(prefix) && text[prefix.size()] == '.';
}

// Routes every key of the tree to the section it belongs to, as SectionPieces.
class Router {
 public:
  Router(const std::vector<SectionSpec>& sections, std::vector<ConfigIssue>& issues) : issues_(issues) {
    for (const auto& spec : sections) {
      if (spec.path.empty()) throw SchemaError("a config section has an empty path");
      for (const auto& [path, pieces] : pieces_) {
        if (path == spec.path || startsWithSegment(path, spec.path) || startsWithSegment(spec.path, path)) {
          throw SchemaError("config sections '" + path + "' and '" + spec.path + "' overlap");
        }
      }
      pieces_[spec.path];
      for (auto dot = spec.path.find('.'); dot != std::string::npos; dot = spec.path.find('.', dot + 1)) {
        parents_.insert(spec.path.substr(0, dot));
      }
    }
  }

  void visit(const std::string& path, const Json& value) {
    for (auto& [section, pieces] : pieces_) {
      if (path == section) {
        pieces.push_back({"", &value});
        return;
      }
      if (startsWithSegment(path, section)) {
        pieces.push_back({path.substr(section.size() + 1), &value});
        return;
      }
    }
    if (parents_.count(path)) {
      if (value.is_null()) return;
      if (!value.is_object()) {
        issues_.push_back({path, "expected a map with keys " + childrenOf(path) + ", got " + describeValue(value)});
        return;
      }
      for (const auto& [key, child] : value.items()) visit(join(path, key), child);
      return;
    }
    const auto parent = nearestParent(path);
    issues_.push_back({path, parent.empty()
                                 ? "unknown key (known top-level keys: " + childrenOf("") + ")"
                                 : "unknown key (known keys under " + parent + ": " + childrenOf(parent) + ")"});
  }

  const std::map<std::string, std::vector<SectionPiece>>& pieces() const { return pieces_; }

 private:
  std::string nearestParent(const std::string& path) const {
    for (auto dot = path.rfind('.'); dot != std::string::npos && dot > 0; dot = path.rfind('.', dot - 1)) {
      const auto prefix = path.substr(0, dot);
      if (parents_.count(prefix)) return prefix;
    }
    return {};
  }

  std::string childrenOf(const std::string& parent) const {
    std::set<std::string> children;
    for (const auto& [section, pieces] : pieces_) {
      if (!parent.empty() && !startsWithSegment(section, parent)) continue;
      const auto rest = parent.empty() ? section : section.substr(parent.size() + 1);
      children.insert(rest.substr(0, rest.find('.')));
    }
    return joinList({children.begin(), children.end()});
  }

  std::vector<ConfigIssue>& issues_;
  std::map<std::string, std::vector<SectionPiece>> pieces_;
  std::set<std::string> parents_;
};

// An unchecked section is kept as the operator wrote it; dotted keys are not expanded
// because no schema says where one key ends.
Json assembleUnchecked(const std::vector<SectionPiece>& pieces) {
  Json out = Json::object();
  for (const auto& piece : pieces) {
    if (piece.key.empty()) {
      if (piece.value->is_object()) {
        for (const auto& [key, child] : piece.value->items()) out[key] = child;
      }
    } else {
      out[piece.key] = *piece.value;
    }
  }
  return out;
}

void collectLeaves(const Json& value, const std::string& path, std::vector<std::pair<std::string, const Json*>>& out) {
  if (!value.is_object()) {
    out.emplace_back(path, &value);
    return;
  }
  for (const auto& [key, child] : value.items()) collectLeaves(child, join(path, key), out);
}

}  // namespace

CheckedConfig checkConfig(const Json& tree, const std::vector<SectionSpec>& sections,
                          const std::set<std::string>& pluginIds) {
  CheckedConfig result;
  Router router(sections, result.issues);
  if (!tree.is_null() && !tree.is_object()) {
    result.issues.push_back({"", "expected a map of settings at the top level, got " + describeValue(tree)});
  } else if (tree.is_object()) {
    for (const auto& [key, child] : tree.items()) router.visit(key, child);
  }

  for (const auto& spec : sections) {
    const auto& pieces = router.pieces().at(spec.path);
    if (!spec.schema) {
      result.sections[spec.path] = assembleUnchecked(pieces);
      continue;
    }
    auto validated = spec.path == kPluginsSection ? validatePluginsSection(pieces, *spec.schema, pluginIds)
                                                  : validateSection(pieces, *spec.schema, spec.path);
    result.sections[spec.path] = std::move(validated.value);
    result.issues.insert(result.issues.end(), validated.issues.begin(), validated.issues.end());
  }
  std::stable_sort(result.issues.begin(), result.issues.end(),
                   [](const ConfigIssue& a, const ConfigIssue& b) { return a.key < b.key; });
  return result;
}

std::set<std::string> disabledInConfig(const Json& tree) {
  std::vector<std::pair<std::string, const Json*>> leaves;
  collectLeaves(tree, "", leaves);
  std::set<std::string> disabled;
  const std::string prefix = std::string(kPluginsSection) + ".";
  const std::string suffix = ".enabled";
  for (const auto& [path, value] : leaves) {
    if (!value->is_boolean() || value->get<bool>()) continue;
    if (path.size() <= prefix.size() + suffix.size() || !path.starts_with(prefix) || !path.ends_with(suffix)) continue;
    const auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (id.find('.') == std::string::npos) disabled.insert(id);
  }
  return disabled;
}

std::string formatIssues(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const auto& issue : issues) {
    if (!out.empty()) out += '\n';
    out += issue.key.empty() ? issue.message : issue.key + ": " + issue.message;
  }
  return out;
}

}  // namespace orrery::config
