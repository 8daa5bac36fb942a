#include "core/plugins/discovery.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <system_error>

namespace orrery::plugins {
namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isManifestName(const std::string& name) {
  return !name.empty() && name.front() != '.' && endsWith(name, ".json") &&
         !endsWith(name, ".schema.json");
}

// Candidate files of one folder, sorted, or an error naming the folder.
std::vector<fs::path> listManifests(const fs::path& folder, std::vector<ManifestError>& errors) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) {
    errors.push_back({folder, {}, "cannot list plugin folder: " + ec.message()});
    return files;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (!isManifestName(path.filename().string())) continue;
    std::error_code typeError;
    // A dangling link or a file that vanished is reported by loadManifest; only
    // directories that happen to end in .json are skipped here.
    if (it->is_directory(typeError)) continue;
    files.push_back(path);
  }
  if (ec) errors.push_back({folder, {}, "cannot list plugin folder: " + ec.message()});
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return files;
}

}  // namespace

DiscoveryResult discover(const std::vector<fs::path>& folders) {
  DiscoveryResult result;
  std::set<fs::path> scanned;
  for (const fs::path& folder : folders) {
    std::error_code ec;
    const fs::file_status status = fs::status(folder, ec);
    if (status.type() == fs::file_type::not_found) {
      result.errors.push_back({folder, {}, "plugin folder not found"});
      continue;
    }
    if (ec) {
      result.errors.push_back({folder, {}, "cannot access plugin folder: " + ec.message()});
      continue;
    }
    if (!fs::is_directory(status)) {
      result.errors.push_back({folder, {}, "plugin folder is not a directory"});
      continue;
    }
    const fs::path canonical = fs::canonical(folder, ec);
    if (!scanned.insert(ec ? folder.lexically_normal() : canonical).second) continue;
    for (const fs::path& file : listManifests(folder, result.errors)) {
      ManifestResult parsed = loadManifest(file);
      if (auto* manifest = std::get_if<Manifest>(&parsed)) {
        result.manifests.push_back(std::move(*manifest));
      } else {
        result.errors.push_back(std::get<ManifestError>(std::move(parsed)));
      }
    }
  }
  return result;
}

}  // namespace orrery::plugins
