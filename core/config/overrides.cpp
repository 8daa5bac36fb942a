#include "core/config/overrides.hpp"

#include "core/config/scalar.hpp"
#include "core/config/yaml_tree.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <vector>

namespace orrery::config {
namespace {

std::string_view trim(std::string_view s) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

[[noreturn]] void reject(std::string_view assignment, const std::string& problem) {
  throw OverrideError("--set '" + std::string(assignment) + "': " + problem);
}

std::vector<std::string> splitKey(std::string_view assignment, std::string_view key) {
  if (key.empty()) reject(assignment, "the key before '=' is empty");
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto segment = key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (segment.empty()) reject(assignment, "the key '" + std::string(key) + "' has an empty segment");
    segments.emplace_back(segment);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return segments;
}

nlohmann::json parseValue(std::string_view assignment, std::string_view text) {
  if (text.empty() || (text.front() != '[' && text.front() != '{' && text.front() != '"' && text.front() != '\'')) {
    return resolvePlainScalar(text);
  }
  nlohmann::json value;
  try {
    value = parseYaml(text, "value");
  } catch (const ConfigFileError& e) {
    reject(assignment, "the value is not valid YAML (line " + std::to_string(e.line()) + ", column " +
                           std::to_string(e.column()) + ": " + e.problem() + ")");
  }
  const bool quoted = text.front() == '"' || text.front() == '\'';
  if (quoted && !value.is_string()) reject(assignment, "the value is not one quoted string");
  if (text.front() == '[' && !value.is_array()) reject(assignment, "the value is not one flow list");
  if (text.front() == '{' && !value.is_object()) reject(assignment, "the value is not one flow map");
  return value;
}

std::vector<std::string_view> splitDots(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(key.substr(start));
      return parts;
    }
    parts.push_back(key.substr(start, dot - start));
    start = dot + 1;
  }
}

// A file may spell the same setting as nested maps or as dotted keys (`server.port: 1`).
// An override replaces the setting, so every other spelling of the target or of anything
// below it goes; otherwise the checker would report the setting as given twice.
void eraseSpellings(nlohmann::json& object, std::span<const std::string> target) {
  for (auto it = object.begin(); it != object.end();) {
    const auto parts = splitDots(it.key());
    const std::size_t common = std::min(parts.size(), target.size());
    const bool samePrefix = std::equal(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(common),
                                       target.begin());
    if (samePrefix && parts.size() >= target.size()) {
      it = object.erase(it);
      continue;
    }
    if (samePrefix && it->is_object()) eraseSpellings(*it, target.subspan(parts.size()));
    ++it;
  }
}

}  // namespace

void applySet(nlohmann::json& tree, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos) reject(assignment, "expected key=value");
  const auto key = trim(assignment.substr(0, eq));
  const auto segments = splitKey(assignment, key);
  auto value = parseValue(assignment, trim(assignment.substr(eq + 1)));

  if (tree.is_null()) tree = nlohmann::json::object();
  if (!tree.is_object()) reject(assignment, "the configuration is not a map");
  eraseSpellings(tree, segments);
  nlohmann::json* node = &tree;
  std::string path;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    path += (i ? "." : "") + segments[i];
    auto& child = (*node)[segments[i]];
    if (child.is_null()) child = nlohmann::json::object();
    if (!child.is_object()) {
      reject(assignment, "'" + path + "' already holds " + std::string(child.type_name()) + ", not a map");
    }
    node = &child;
  }
  (*node)[segments.back()] = std::move(value);
}

}  // namespace orrery::config
