#include "core/plugins/manifest.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <optional>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/plugins/manifest_text.hpp"

namespace orrery::plugins {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using manifest_text::describe;

struct FieldError {
  std::string field;
  std::string message;
};
using Check = std::optional<FieldError>;

constexpr std::array<std::string_view, 11> kKnownFields{
    "$schema",         "id",         "version",     "sdkVersion", "type",  "library",
    "requiredPlugins", "optionalPlugins", "configPath", "description", "owner"};

// The core's own configuration roots; a plugin section there would shadow core settings.
constexpr std::array<std::string_view, 6> kReservedConfigRoots{"server", "path", "logging",
                                                               "plugins", "storage", "executors"};

constexpr const char* kIdForm = "a plugin id matching [a-z][a-z0-9_]*";
constexpr const char* kConfigPathForm =
    "a dotted config path such as \"my_plugin\" or \"xpack.reporting\", each segment "
    "matching [a-zA-Z][a-zA-Z0-9_]*";
constexpr const char* kLibraryForm =
    "a path to the plugin's shared library relative to this manifest's folder, such as "
    "\"libmy_plugin.so\"";

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isPluginId(std::string_view s) {
  return !s.empty() && isLower(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return isLower(c) || isDigit(c) || c == '_'; });
}

bool isConfigSegment(std::string_view s) {
  return !s.empty() && (isLower(s.front()) || isUpper(s.front())) &&
         std::all_of(s.begin(), s.end(),
                     [](char c) { return isLower(c) || isUpper(c) || isDigit(c) || c == '_'; });
}

std::string joinKnownFields() {
  std::string out;
  for (const auto field : kKnownFields) {
    if (!out.empty()) out += ", ";
    out += field;
  }
  return out;
}

// Optimal string alignment distance, case-insensitive: catches "requierdPlugins", "ID".
std::size_t editDistance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string unknownFieldMessage(std::string_view key) {
  std::string message = "unknown field (known fields: " + joinKnownFields() + ")";
  // Long keys cannot be typos of the short known names; skip the quadratic distance.
  if (key.size() > 40) return message;
  std::string_view best;
  std::size_t bestDistance = 3;
  for (const auto field : kKnownFields) {
    const std::size_t distance = editDistance(key, field);
    if (distance < bestDistance && distance <= std::max<std::size_t>(1, field.size() / 4)) {
      best = field;
      bestDistance = distance;
    }
  }
  if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
  return message;
}

Check checkPluginId(const json& value, const std::string& field) {
  if (!value.is_string() || !isPluginId(value.get_ref<const std::string&>())) {
    return FieldError{field, std::string("expected ") + kIdForm + ", got " + describe(value)};
  }
  if (value.get_ref<const std::string&>().size() > kMaxPluginIdLength) {
    return FieldError{field, std::string("expected ") + kIdForm + " of at most " +
                                 std::to_string(kMaxPluginIdLength) + " characters, got " +
                                 describe(value)};
  }
  return std::nullopt;
}

Check readId(const json& doc, Manifest& m) {
  const auto it = doc.find("id");
  if (it == doc.end()) {
    return FieldError{"id", std::string("required (") + kIdForm + ", at most " +
                                std::to_string(kMaxPluginIdLength) + " characters)"};
  }
  if (auto error = checkPluginId(*it, "id")) return error;
  m.id = it->get<std::string>();
  return std::nullopt;
}

Check readVersion(const json& doc, Manifest& m) {
  const auto it = doc.find("version");
  if (it == doc.end()) return FieldError{"version", "required (a semantic version such as \"1.0.0\")"};
  if (!it->is_string()) {
    return FieldError{"version", "expected a string such as \"1.0.0\", got " + describe(*it)};
  }
  auto parsed = Version::parse(it->get_ref<const std::string&>());
  if (auto* error = std::get_if<SemverError>(&parsed)) return FieldError{"version", error->message};
  m.version = std::get<Version>(std::move(parsed));
  return std::nullopt;
}

Check readSdkVersion(const json& doc, Manifest& m) {
  const auto it = doc.find("sdkVersion");
  if (it == doc.end()) {
    return FieldError{"sdkVersion", "required (the range of SDK versions the plugin was built "
                                    "for, such as \"^1.0.0\")"};
  }
  if (!it->is_string()) {
    return FieldError{"sdkVersion",
                      "expected a version range string such as \"^1.0.0\", got " + describe(*it)};
  }
  auto parsed = VersionRange::parse(it->get_ref<const std::string&>());
  if (auto* error = std::get_if<SemverError>(&parsed)) {
    return FieldError{"sdkVersion", error->message};
  }
  m.sdkVersion = it->get<std::string>();
  m.sdkRange = std::get<VersionRange>(std::move(parsed));
  return std::nullopt;
}

Check readType(const json& doc, Manifest& m) {
  const auto it = doc.find("type");
  if (it == doc.end()) return std::nullopt;  // standard
  if (*it == "preboot") {
    m.type = PluginType::preboot;
  } else if (*it == "standard") {
    m.type = PluginType::standard;
  } else {
    return FieldError{"type", "expected \"preboot\" or \"standard\", got " + describe(*it)};
  }
  return std::nullopt;
}

fs::path resolveLibrary(const fs::path& manifestFile, const std::string& library) {
  fs::path folder = manifestFile.parent_path();
  if (folder.is_relative()) {
    std::error_code ec;
    fs::path absolute = fs::absolute(folder, ec);
    if (!ec) folder = std::move(absolute);
  }
  return (folder / library).lexically_normal();
}

Check readLibrary(const json& doc, Manifest& m) {
  const auto it = doc.find("library");
  if (it == doc.end()) return FieldError{"library", std::string("required (") + kLibraryForm + ")"};
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return FieldError{"library", std::string("expected ") + kLibraryForm + ", got " + describe(*it)};
  }
  const auto& library = it->get_ref<const std::string&>();
  if (library.front() == '/') {
    // Relative paths keep a plugin folder relocatable as a whole.
    return FieldError{"library", std::string("expected ") + kLibraryForm + ", got " +
                                     describe(*it) + " (an absolute path)"};
  }
  if (library.find('\0') != std::string::npos) {
    return FieldError{"library", std::string("expected ") + kLibraryForm + ", got " +
                                     describe(*it) + " (contains a NUL character)"};
  }
  m.library = library;
  m.libraryPath = resolveLibrary(m.file, library);
  return std::nullopt;
}

Check readPluginList(const json& doc, const char* name, const Manifest& m,
                     std::vector<std::string>& out) {
  const auto it = doc.find(name);
  if (it == doc.end()) return std::nullopt;
  if (!it->is_array()) {
    return FieldError{name, "expected an array of plugin ids such as [\"http\", \"storage\"], got " +
                                describe(*it)};
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
    if (auto error = checkPluginId(item, field)) return error;
    const auto& id = item.get_ref<const std::string&>();
    if (id == m.id) {
      return FieldError{field, "a plugin cannot depend on itself (" + describe(item) + ")"};
    }
    const auto previous = std::find(out.begin(), out.end(), id);
    if (previous != out.end()) {
      return FieldError{field, describe(item) + " is listed twice (also at " + name + "[" +
                                   std::to_string(previous - out.begin()) + "])"};
    }
    out.push_back(id);
  }
  return std::nullopt;
}

Check checkBothLists(const Manifest& m) {
  for (std::size_t i = 0; i < m.optionalPlugins.size(); ++i) {
    const std::string& id = m.optionalPlugins[i];
    if (std::find(m.requiredPlugins.begin(), m.requiredPlugins.end(), id) !=
        m.requiredPlugins.end()) {
      return FieldError{"optionalPlugins[" + std::to_string(i) + "]",
                        describe(json(id)) +
                            " is also in requiredPlugins; list each dependency in one of the two"};
    }
  }
  return std::nullopt;
}

std::string reservedRootsText() {
  std::string out;
  for (const auto root : kReservedConfigRoots) {
    if (!out.empty()) out += ", ";
    out += root;
  }
  return out;
}

Check readConfigPath(const json& doc, Manifest& m) {
  const auto it = doc.find("configPath");
  const bool defaulted = it == doc.end();
  if (!defaulted) {
    const bool wellFormed = [&] {
      if (!it->is_string()) return false;
      const auto& text = it->get_ref<const std::string&>();
      std::size_t start = 0;
      while (true) {
        const std::size_t dot = text.find('.', start);
        if (!isConfigSegment(std::string_view(text).substr(start, dot - start))) return false;
        if (dot == std::string::npos) return true;
        start = dot + 1;
      }
    }();
    if (!wellFormed) {
      return FieldError{"configPath", std::string("expected ") + kConfigPathForm + ", got " +
                                          describe(*it)};
    }
  }
  const std::string path = defaulted ? m.id : it->get<std::string>();
  const std::string root = path.substr(0, path.find('.'));
  if (std::find(kReservedConfigRoots.begin(), kReservedConfigRoots.end(), root) !=
      kReservedConfigRoots.end()) {
    const std::string rule = "the root '" + root + "' is reserved for the core (reserved roots: " +
                             reservedRootsText() + ")";
    if (defaulted) {
      return FieldError{"configPath", "defaults to the id \"" + m.id + "\", but " + rule +
                                          "; set configPath to another path"};
    }
    return FieldError{"configPath", "expected a config path outside the core's settings, got " +
                                        describe(*it) + ": " + rule};
  }
  m.configPath = path;
  return std::nullopt;
}

Check readString(const json& doc, const char* name, const char* what, std::string* out) {
  const auto it = doc.find(name);
  if (it == doc.end()) return std::nullopt;
  if (!it->is_string()) {
    return FieldError{name, std::string("expected a string (") + what + "), got " + describe(*it)};
  }
  if (out != nullptr) *out = it->get<std::string>();
  return std::nullopt;
}

Check readFields(const json& doc, Manifest& m) {
  if (auto e = readId(doc, m)) return e;
  if (auto e = readVersion(doc, m)) return e;
  if (auto e = readSdkVersion(doc, m)) return e;
  if (auto e = readType(doc, m)) return e;
  if (auto e = readLibrary(doc, m)) return e;
  if (auto e = readPluginList(doc, "requiredPlugins", m, m.requiredPlugins)) return e;
  if (auto e = readPluginList(doc, "optionalPlugins", m, m.optionalPlugins)) return e;
  if (auto e = checkBothLists(m)) return e;
  if (auto e = readConfigPath(doc, m)) return e;
  if (auto e = readString(doc, "description", "what the plugin does", &m.description)) return e;
  if (auto e = readString(doc, "owner", "who maintains the plugin", &m.owner)) return e;
  if (auto e = readString(doc, "$schema", "the schema's URL or path, for editors", nullptr)) {
    return e;
  }
  return std::nullopt;
}

std::string jsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    default: return value.is_number() ? "a number" : "something else";
  }
}

// nlohmann's text is "[json.exception.parse_error.101] parse error at line L, column C:
// <reason>"; its column is off for some errors, so the position is recomputed and only
// the reason kept.
std::string parseReason(const std::string& what) {
  const std::size_t column = what.find(", column ");
  if (column != std::string::npos) {
    const std::size_t colon = what.find(": ", column);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  const std::size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace

std::string_view pluginTypeName(PluginType type) {
  return type == PluginType::preboot ? "preboot" : "standard";
}

ManifestResult parseManifest(std::string_view text, const fs::path& file) {
  const auto error = [&](std::string field, std::string message) {
    return ManifestError{file, std::move(field), std::move(message)};
  };
  // Keys of the top-level object in document order; nlohmann itself keeps only the last
  // of a repeated key, which would hide a conflicting duplicate.
  std::vector<std::string> keys;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(),
                      [&keys](int depth, json::parse_event_t event, json& parsed) {
                        if (event == json::parse_event_t::key && depth == 1) {
                          keys.push_back(parsed.get<std::string>());
                        }
                        return true;
                      });
  } catch (const json::parse_error& e) {
    const auto at = manifest_text::lineColumnAt(text, e.byte);
    return error({}, "not valid JSON at line " + std::to_string(at.line) + ", column " +
                         std::to_string(at.column) + ": " +
                         manifest_text::sanitizeUtf8(parseReason(e.what())));
  } catch (const json::exception& e) {
    // Number overflow and the like carry no position.
    return error({}, "not valid JSON: " + manifest_text::sanitizeUtf8(parseReason(e.what())));
  }
  if (!doc.is_object()) {
    return error({}, "expected a JSON object at the top level, got " + jsonTypeName(doc));
  }
  std::set<std::string_view> seen;
  for (const std::string& key : keys) {
    if (std::find(kKnownFields.begin(), kKnownFields.end(), key) == kKnownFields.end()) {
      return error(manifest_text::printableName(key), unknownFieldMessage(key));
    }
    if (!seen.insert(key).second) {
      return error(key, "appears more than once; a manifest lists each field once");
    }
  }
  Manifest manifest;
  manifest.file = file;
  if (auto e = readFields(doc, manifest)) return error(std::move(e->field), std::move(e->message));
  return manifest;
}

ManifestResult loadManifest(const fs::path& file) {
  const auto error = [&](std::string message) { return ManifestError{file, {}, std::move(message)}; };
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (ec) return error("cannot read: " + ec.message());
  if (!fs::is_regular_file(status)) return error("cannot read: not a regular file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return error("cannot read: " + std::generic_category().message(errno));
  std::string text(kMaxManifestBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return error("cannot read: " + std::generic_category().message(errno));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxManifestBytes) {
    return error("larger than " + std::to_string(kMaxManifestBytes) +
                 " bytes; a manifest is a small JSON object");
  }
  return parseManifest(text, file);
}

}  // namespace orrery::plugins
