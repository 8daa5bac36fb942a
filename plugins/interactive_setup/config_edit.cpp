#include "config_edit.hpp"

#include <orrery/http/json_text.hpp>

#include <vector>

namespace orrery::interactive_setup {

namespace {

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) {
      out.push_back(text);
      break;
    }
    out.push_back(text.substr(0, end + 1));
    text.remove_prefix(end + 1);
  }
  return out;
}

bool isBlankOrComment(std::string_view line) {
  const auto first = line.find_first_not_of(" \t\r\n");
  return first == std::string_view::npos || line[first] == '#';
}

bool isIndented(std::string_view line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

// "data:" followed by the end of the line, a space or a comment.
bool opensSection(std::string_view line, std::string_view section) {
  if (!line.starts_with(section)) return false;
  const auto rest = line.substr(section.size());
  if (rest.empty() || rest[0] != ':') return false;
  return rest.size() == 1 || rest[1] == ' ' || rest[1] == '\t' || rest[1] == '\n' || rest[1] == '\r';
}

}  // namespace

std::string dataSectionYaml(const Connection& connection, const std::filesystem::path& embeddedPath) {
  std::string out = "data:\n  search:\n";
  // (Appended piecewise: g++ 12 at -O3 warns (-Wrestrict) on chained operator+.)
  const auto line = [&out](std::string_view prefix, std::string_view value) {
    out.append(prefix);
    http::appendJsonString(out, value);
    out.append("\n");
  };
  if (connection.embedded) {
    out.append("    defaultStrategy: local\n  local:\n");
    line("    path: ", embeddedPath.string());
    return out;
  }
  const auto& remote = *connection.remote;
  out.append("    defaultStrategy: elasticsearch\n  elasticsearch:\n");
  out.append("    hosts:\n");
  line("      - ", remote.url);
  if (!remote.username.empty()) {
    line("    username: ", remote.username);
    line("    password: ", remote.password);
  }
  if (!remote.apiKey.empty()) line("    apiKey: ", remote.apiKey);
  if (!remote.certificateAuthority.empty()) {
    out.append("    ssl:\n");
    line("      certificateAuthority: ", remote.certificateAuthority);
  }
  return out;
}

bool hasSecrets(const Connection& connection) {
  return connection.remote && (!connection.remote->password.empty() || !connection.remote->apiKey.empty());
}

std::string replaceTopLevelSection(std::string_view original, std::string_view section,
                                   std::string_view replacement, std::string_view timestamp) {
  const auto all = lines(original);
  std::string out;
  out.reserve(original.size() + replacement.size() * 2 + 200);
  bool replaced = false;
  std::size_t i = 0;
  while (i < all.size()) {
    if (replaced || !opensSection(all[i], section)) {
      out += all[i++];
      continue;
    }
    // The block: the key line, then indented, blank and comment lines; trailing blank and
    // comment lines belong to whatever follows, so they are given back.
    std::size_t end = i + 1;
    while (end < all.size() && (isIndented(all[end]) || isBlankOrComment(all[end]))) ++end;
    while (end > i + 1 && isBlankOrComment(all[end - 1])) --end;
    out.append("# Interactive setup replaced the block below on ").append(timestamp).append(":\n");
    for (std::size_t j = i; j < end; ++j) {
      out.append("# ").append(all[j]);
      if (!all[j].ends_with('\n')) out += '\n';
    }
    out.append("# Written by interactive setup on ").append(timestamp).append(":\n").append(replacement);
    replaced = true;
    i = end;
  }
  if (!replaced) {
    if (!out.empty() && !out.ends_with('\n')) out += '\n';
    if (!out.empty()) out += '\n';
    out.append("# Written by interactive setup on ").append(timestamp).append(":\n").append(replacement);
  }
  return out;
}

}  // namespace orrery::interactive_setup
