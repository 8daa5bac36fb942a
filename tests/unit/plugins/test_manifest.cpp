// Manifest parsing: defaults, every field rule, and messages that name the file, the
// field and the expected form.
#include <doctest/doctest.h>

#include "tests/support/temp_dir.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/plugins/manifest.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using orrery::plugins::loadManifest;
using orrery::plugins::Manifest;
using orrery::plugins::ManifestError;
using orrery::plugins::parseManifest;
using orrery::plugins::PluginType;

namespace {

const fs::path kFile = "manifests/foo.json";

json minimal() {
  return {{"id", "foo"}, {"version", "1.0.0"}, {"sdkVersion", "^1.0.0"}, {"library", "libfoo.so"}};
}

Manifest accepted(const std::string& text, const fs::path& file = kFile) {
  auto parsed = parseManifest(text, file);
  if (auto* error = std::get_if<ManifestError>(&parsed)) FAIL(error->text());
  return std::get<Manifest>(parsed);
}
Manifest accepted(const json& doc) { return accepted(doc.dump()); }

ManifestError refusedText(const std::string& text) {
  auto parsed = parseManifest(text, kFile);
  REQUIRE_MESSAGE(std::holds_alternative<ManifestError>(parsed), "accepted: ", text);
  return std::get<ManifestError>(parsed);
}
ManifestError refused(const json& doc) { return refusedText(doc.dump()); }

json with(const std::string& field, const json& value) {
  json doc = minimal();
  doc[field] = value;
  return doc;
}
json without(const std::string& field) {
  json doc = minimal();
  doc.erase(field);
  return doc;
}

// The message names the file and the field, and states the expected form and the value.
void checkRefusal(const json& doc, const std::string& field, const std::string& expected,
                  const std::string& got = {}) {
  const ManifestError error = refused(doc);
  const std::string text = error.text();
  INFO(text);
  CHECK(error.file == kFile);
  CHECK(error.field == field);
  CHECK(text.rfind("manifests/foo.json: field '" + field + "': ", 0) == 0);
  CHECK(text.find(expected) != std::string::npos);
  if (!got.empty()) CHECK(text.find("got " + got) != std::string::npos);
}

using orrery::test::TempDir;

void write(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("a minimal manifest gets the documented defaults") {
  const Manifest m = accepted(minimal());
  CHECK(m.id == "foo");
  CHECK(m.version.toString() == "1.0.0");
  CHECK(m.sdkVersion == "^1.0.0");
  CHECK(m.sdkRange.toString() == "^1.0.0");
  CHECK(m.type == PluginType::standard);
  CHECK(m.library == "libfoo.so");
  CHECK(m.libraryPath == (fs::current_path() / "manifests" / "libfoo.so"));
  CHECK(m.requiredPlugins.empty());
  CHECK(m.optionalPlugins.empty());
  CHECK(m.configPath == "foo");
  CHECK(m.description.empty());
  CHECK(m.owner.empty());
  CHECK(m.file == kFile);
}

TEST_CASE("every field is read") {
  const Manifest m = accepted(json{{"$schema", "../manifest.schema.json"},
                                   {"id", "task_manager"},
                                   {"version", "2.1.0-rc.1+build.7"},
                                   {"sdkVersion", ">=1.0.0 <2.0.0 || ^3"},
                                   {"type", "preboot"},
                                   {"library", "../lib/./libtask_manager.so"},
                                   {"requiredPlugins", {"storage", "http"}},
                                   {"optionalPlugins", {"security"}},
                                   {"configPath", "xpack.taskManager"},
                                   {"description", "Runs background tasks"},
                                   {"owner", "core team"}});
  CHECK(m.id == "task_manager");
  CHECK(m.version.toString() == "2.1.0-rc.1+build.7");
  CHECK(m.sdkVersion == ">=1.0.0 <2.0.0 || ^3");
  CHECK(m.sdkRange.contains(std::get<orrery::plugins::Version>(orrery::plugins::Version::parse("3.2.0"))));
  CHECK(m.type == PluginType::preboot);
  CHECK(m.library == "../lib/./libtask_manager.so");
  CHECK(m.libraryPath == fs::current_path() / "lib" / "libtask_manager.so");
  CHECK(m.requiredPlugins == std::vector<std::string>{"storage", "http"});
  CHECK(m.optionalPlugins == std::vector<std::string>{"security"});
  CHECK(m.configPath == "xpack.taskManager");
  CHECK(m.description == "Runs background tasks");
  CHECK(m.owner == "core team");
  CHECK(accepted(with("type", "standard")).type == PluginType::standard);
}

TEST_CASE("the library path is resolved against the manifest's folder") {
  const Manifest m = accepted(minimal().dump(), "/opt/orrery/plugins/foo/manifest.json");
  CHECK(m.libraryPath == fs::path("/opt/orrery/plugins/foo/libfoo.so"));
  json doc = with("library", "../../lib/orrery/./libfoo.so");
  CHECK(accepted(doc.dump(), "/opt/orrery/plugins/foo/manifest.json").libraryPath ==
        fs::path("/opt/orrery/lib/orrery/libfoo.so"));
  CHECK(accepted(doc.dump(), "/opt/orrery/plugins/foo/manifest.json").library ==
        "../../lib/orrery/./libfoo.so");
}

TEST_CASE("the message reads file: field 'name': expected form, got value") {
  const ManifestError error = refused(with("requiredPlugins", {"http", "Bad-Id"}));
  CHECK(error.text() ==
        "manifests/foo.json: field 'requiredPlugins[1]': expected a plugin id matching "
        "[a-z][a-z0-9_]*, got \"Bad-Id\"");
  CHECK(refused(with("version", 42)).text() ==
        "manifests/foo.json: field 'version': expected a string such as \"1.0.0\", got 42");
}

TEST_CASE("text that is not JSON is refused with line and column") {
  SUBCASE("position of the offending token") {
    const ManifestError error = refusedText("{\n  \"id\": \"foo\",\n  \"version\" 1\n}");
    CHECK(error.field.empty());
    CHECK(error.text().rfind("manifests/foo.json: not valid JSON at line 3, column 13: ", 0) == 0);
    CHECK(error.text().find("expected ':'") != std::string::npos);
  }
  SUBCASE("columns count characters, not bytes") {
    const ManifestError error = refusedText("{\n\"description\": \"h\xc3\xa9llo\" x");
    CHECK_MESSAGE(error.text().find("at line 2, column 24:") != std::string::npos, error.text());
  }
  SUBCASE("empty input") {
    CHECK(refusedText("").text().rfind("manifests/foo.json: not valid JSON at line 1, column 1: ", 0) == 0);
    CHECK(refusedText("").text().find("unexpected end of input") != std::string::npos);
  }
  SUBCASE("trailing content after the object") {
    CHECK(refusedText(minimal().dump() + "\n}").text().find("at line 2, column 1:") != std::string::npos);
  }
  SUBCASE("invalid UTF-8 does not leak into the message") {
    const std::string text = refusedText("{\"id\": \"\xff\"}").text();
    CHECK(text.find("at line 1, column 9:") != std::string::npos);
    CHECK(text.find('\xff') == std::string::npos);
  }
  SUBCASE("a number out of range") {
    CHECK(refusedText("{\"id\": 1e999}").text().rfind("manifests/foo.json: not valid JSON: ", 0) == 0);
  }
}

TEST_CASE("the top level must be an object") {
  CHECK(refusedText("[]").text() ==
        "manifests/foo.json: expected a JSON object at the top level, got an array");
  CHECK(refusedText("\"foo\"").text().ends_with("got a string"));
  CHECK(refusedText("42").text().ends_with("got a number"));
  CHECK(refusedText("null").text().ends_with("got null"));
  CHECK(refusedText("true").text().ends_with("got a boolean"));
}

TEST_CASE("required fields") {
  checkRefusal(without("id"), "id", "required (a plugin id matching [a-z][a-z0-9_]*");
  checkRefusal(without("version"), "version", "required (a semantic version such as \"1.0.0\")");
  checkRefusal(without("sdkVersion"), "sdkVersion", "required (the range of SDK versions");
  checkRefusal(without("library"), "library", "required (a path to the plugin's shared library");
  CHECK(refused(json::object()).field == "id");
}

TEST_CASE("id: a lowercase identifier of at most 64 characters") {
  const std::string form = "expected a plugin id matching [a-z][a-z0-9_]*";
  checkRefusal(with("id", "Bad-Id"), "id", form, "\"Bad-Id\"");
  checkRefusal(with("id", "1abc"), "id", form, "\"1abc\"");
  checkRefusal(with("id", "_abc"), "id", form, "\"_abc\"");
  checkRefusal(with("id", ""), "id", form, "\"\"");
  checkRefusal(with("id", 42), "id", form, "42");
  checkRefusal(with("id", json::array()), "id", form, "an array");
  checkRefusal(with("id", "foo\n"), "id", form, "\"foo\\n\"");
  CHECK(accepted(with("id", std::string(64, 'a'))).id.size() == 64);
  checkRefusal(with("id", std::string(65, 'a')), "id", "of at most 64 characters");
  SUBCASE("a long value is cut in the message") {
    const std::string text = refused(with("id", std::string(200, 'a'))).text();
    CHECK(text.find("...\" (200 bytes)") != std::string::npos);
    CHECK(text.size() < 300);
  }
}

TEST_CASE("version: a semantic version") {
  checkRefusal(with("version", "1.0"), "version", "X.Y.Z", "");
  CHECK(refused(with("version", "1.0")).message.find("invalid version \"1.0\"") != std::string::npos);
  checkRefusal(with("version", "v1.0.0"), "version", "such as 1.2.3");
  checkRefusal(with("version", json::object()), "version", "expected a string such as \"1.0.0\"",
               "an object");
}

TEST_CASE("sdkVersion: a version range") {
  checkRefusal(with("sdkVersion", "^1.x.3"), "sdkVersion", "bad part \"^1.x.3\"");
  checkRefusal(with("sdkVersion", ""), "sdkVersion", "use * to accept any version");
  checkRefusal(with("sdkVersion", 1), "sdkVersion", "expected a version range string such as \"^1.0.0\"",
               "1");
}

TEST_CASE("type: preboot or standard") {
  checkRefusal(with("type", "boot"), "type", "expected \"preboot\" or \"standard\"", "\"boot\"");
  checkRefusal(with("type", "Preboot"), "type", "expected \"preboot\" or \"standard\"");
  checkRefusal(with("type", nullptr), "type", "expected \"preboot\" or \"standard\"", "null");
}

TEST_CASE("library: a non-empty relative path") {
  const std::string form = "expected a path to the plugin's shared library relative to this "
                           "manifest's folder";
  checkRefusal(with("library", ""), "library", form, "\"\"");
  checkRefusal(with("library", 42), "library", form, "42");
  checkRefusal(with("library", "/usr/lib/libfoo.so"), "library", "(an absolute path)",
               "\"/usr/lib/libfoo.so\"");
  checkRefusal(with("library", std::string("lib\0foo.so", 10)), "library",
               "(contains a NUL character)", "\"lib\\u0000foo.so\"");
}

TEST_CASE("requiredPlugins and optionalPlugins: lists of other plugins' ids") {
  for (const std::string& list : std::vector<std::string>{"requiredPlugins", "optionalPlugins"}) {
    CAPTURE(list);
    checkRefusal(with(list, "http"), list, "expected an array of plugin ids", "\"http\"");
    checkRefusal(with(list, {"http", "Bad-Id"}), list + "[1]",
                 "expected a plugin id matching [a-z][a-z0-9_]*", "\"Bad-Id\"");
    checkRefusal(with(list, {1}), list + "[0]", "expected a plugin id", "1");
    checkRefusal(with(list, {"http", "storage", "http"}), list + "[2]",
                 "\"http\" is listed twice (also at " + list + "[0])");
    checkRefusal(with(list, {"foo"}), list + "[0]", "a plugin cannot depend on itself (\"foo\")");
    CHECK(accepted(with(list, json::array())).requiredPlugins.empty());
  }
  json both = with("requiredPlugins", {"http", "storage"});
  both["optionalPlugins"] = {"security", "storage"};
  checkRefusal(both, "optionalPlugins[1]", "\"storage\" is also in requiredPlugins");
}

TEST_CASE("configPath: dotted segments, defaulting to the id") {
  CHECK(accepted(with("configPath", "xpack.task_manager2")).configPath == "xpack.task_manager2");
  CHECK(accepted(with("configPath", "Foo")).configPath == "Foo");
  const std::string form = "expected a dotted config path such as \"my_plugin\" or "
                           "\"xpack.reporting\", each segment matching [a-zA-Z][a-zA-Z0-9_]*";
  for (const json& bad : {json("a..b"), json(".a"), json("a."), json("1abc"), json("a.1b"),
                         json(""), json("a-b"), json(42), json::array({"a"})}) {
    checkRefusal(with("configPath", bad), "configPath", form);
  }
}

TEST_CASE("configPath: the core's roots are reserved") {
  for (const std::string& root : std::vector<std::string>{"server", "path", "logging", "plugins", "storage", "executors"}) {
    for (const std::string& path : {root, root + ".foo"}) {
      checkRefusal(with("configPath", path), "configPath",
                   "the root '" + root + "' is reserved for the core (reserved roots: server, "
                                         "path, logging, plugins, storage, executors)",
                   "\"" + path + "\"");
    }
    // An id that is a reserved root needs an explicit configPath.
    checkRefusal(with("id", root), "configPath", "defaults to the id \"" + root + "\"");
    json doc = with("id", root);
    doc["configPath"] = root + "_plugin";
    CHECK(accepted(doc).configPath == root + "_plugin");
  }
  CHECK(accepted(with("configPath", "servers")).configPath == "servers");
  CHECK(accepted(with("configPath", "foo.server")).configPath == "foo.server");
  CHECK(accepted(with("configPath", "Server")).configPath == "Server");
}

TEST_CASE("description, owner and $schema are strings") {
  checkRefusal(with("description", 1), "description", "expected a string", "1");
  checkRefusal(with("owner", json::array()), "owner", "expected a string", "an array");
  checkRefusal(with("$schema", false), "$schema", "expected a string", "false");
  CHECK(accepted(with("$schema", "https://example.invalid/manifest.schema.json")).id == "foo");
}

TEST_CASE("unknown fields are refused, listing the known ones") {
  const ManifestError error = refused(with("requierdPlugins", {"http"}));
  CHECK(error.field == "requierdPlugins");
  CHECK(error.text() ==
        "manifests/foo.json: field 'requierdPlugins': unknown field (known fields: $schema, id, "
        "version, sdkVersion, type, library, requiredPlugins, optionalPlugins, configPath, "
        "description, owner); did you mean 'requiredPlugins'?");
  SUBCASE("before a missing field, since it is often the misspelt one") {
    const ManifestError misspelt = refused(json{{"ID", "foo"}});
    CHECK(misspelt.field == "ID");
    CHECK(misspelt.message.ends_with("did you mean 'id'?"));
  }
  SUBCASE("no suggestion for a field unlike any known one") {
    CHECK(refused(with("enabled", true)).message.find("did you mean") == std::string::npos);
  }
  SUBCASE("control characters in a key are escaped") {
    const ManifestError odd = refused(with("a\nb'", 1));
    CHECK(odd.field == "a\\x0ab\\x27");
  }
}

TEST_CASE("a field given twice is refused") {
  const std::string text =
      R"({"id": "foo", "version": "1.0.0", "sdkVersion": "^1", "library": "a.so", "id": "bar"})";
  const ManifestError error = refusedText(text);
  CHECK(error.text() ==
        "manifests/foo.json: field 'id': appears more than once; a manifest lists each field once");
}

TEST_CASE("loadManifest reads a file, naming it in errors") {
  TempDir dir;
  const fs::path file = dir.path() / "foo.json";
  write(file, minimal().dump());
  SUBCASE("a valid file") {
    auto parsed = loadManifest(file);
    REQUIRE(std::holds_alternative<Manifest>(parsed));
    CHECK(std::get<Manifest>(parsed).file == file);
    CHECK(std::get<Manifest>(parsed).libraryPath == dir.path() / "libfoo.so");
  }
  SUBCASE("an invalid file") {
    write(file, with("id", "Bad").dump());
    auto parsed = loadManifest(file);
    REQUIRE(std::holds_alternative<ManifestError>(parsed));
    CHECK(std::get<ManifestError>(parsed).text().rfind(file.string() + ": field 'id': ", 0) == 0);
  }
  SUBCASE("a missing file") {
    auto parsed = loadManifest(dir.path() / "none.json");
    REQUIRE(std::holds_alternative<ManifestError>(parsed));
    CHECK(std::get<ManifestError>(parsed).text() ==
          (dir.path() / "none.json").string() + ": cannot read: No such file or directory");
  }
  SUBCASE("a folder") {
    fs::create_directory(dir.path() / "sub.json");
    auto parsed = loadManifest(dir.path() / "sub.json");
    REQUIRE(std::holds_alternative<ManifestError>(parsed));
    CHECK(std::get<ManifestError>(parsed).message == "cannot read: not a regular file");
  }
  SUBCASE("a file too large to be a manifest") {
    write(file, std::string(orrery::plugins::kMaxManifestBytes + 1, ' '));
    auto parsed = loadManifest(file);
    REQUIRE(std::holds_alternative<ManifestError>(parsed));
    CHECK(std::get<ManifestError>(parsed).message.rfind("larger than 1048576 bytes", 0) == 0);
  }
}
