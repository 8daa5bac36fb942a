// Discovery: which files of the plugin folders are read, in which order, and how
// folder and file problems are all reported.
#include <doctest/doctest.h>

#include "tests/support/temp_dir.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/plugins/discovery.hpp"

namespace fs = std::filesystem;
using orrery::plugins::discover;
using orrery::plugins::DiscoveryResult;

namespace {

using orrery::test::TempDir;

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
}

void writeManifest(const fs::path& file, const std::string& id) {
  write(file, R"({"id": ")" + id + R"(", "version": "1.0.0", "sdkVersion": "^1", "library": "lib)" +
                  id + R"(.so"})");
}

std::vector<std::string> ids(const DiscoveryResult& result) {
  std::vector<std::string> out;
  for (const auto& m : result.manifests) out.push_back(m.id);
  return out;
}

std::vector<std::string> errorTexts(const DiscoveryResult& result) {
  std::vector<std::string> out;
  for (const auto& e : result.errors) out.push_back(e.text());
  return out;
}

}  // namespace

TEST_CASE("manifests come in folder order, then byte-wise file name order") {
  TempDir dir;
  writeManifest(dir.path() / "one" / "b.json", "b");
  writeManifest(dir.path() / "one" / "a.json", "a");
  writeManifest(dir.path() / "one" / "C.json", "c_upper");
  writeManifest(dir.path() / "one" / "10.json", "ten");
  writeManifest(dir.path() / "one" / "9.json", "nine");
  writeManifest(dir.path() / "two" / "a.json", "two_a");
  const DiscoveryResult result = discover({dir.path() / "two", dir.path() / "one"});
  CHECK(result.errors.empty());
  CHECK(ids(result) == std::vector<std::string>{"two_a", "ten", "nine", "c_upper", "a", "b"});
  CHECK(result.manifests.front().file == dir.path() / "two" / "a.json");
  CHECK(result.manifests.front().libraryPath == dir.path() / "two" / "libtwo_a.so");
}

TEST_CASE("only *.json files directly in the folder are manifests") {
  TempDir dir;
  writeManifest(dir.path() / "a.json", "a");
  write(dir.path() / "manifest.schema.json", "{ this is a schema, not a manifest");
  write(dir.path() / "x.schema.json", "not read");
  write(dir.path() / "notes.txt", "not read");
  write(dir.path() / "b.json.bak", "not read");
  write(dir.path() / ".a.json.swp", "not read");
  write(dir.path() / ".#b.json", "not read");
  writeManifest(dir.path() / "sub" / "c.json", "c");   // subfolders are not scanned
  fs::create_directory(dir.path() / "folder.json");     // a folder named like a manifest
  const DiscoveryResult result = discover({dir.path()});
  CHECK(errorTexts(result).empty());
  CHECK(ids(result) == std::vector<std::string>{"a"});
}

TEST_CASE("a missing folder is an error naming it; the others are still scanned") {
  TempDir dir;
  writeManifest(dir.path() / "a.json", "a");
  const fs::path missing = dir.path() / "nope";
  const DiscoveryResult result = discover({missing, dir.path()});
  CHECK(ids(result) == std::vector<std::string>{"a"});
  CHECK(errorTexts(result) == std::vector<std::string>{missing.string() + ": plugin folder not found"});
  CHECK(result.errors.front().file == missing);
}

TEST_CASE("a file given as a folder is an error") {
  TempDir dir;
  writeManifest(dir.path() / "a.json", "a");
  const DiscoveryResult result = discover({dir.path() / "a.json"});
  CHECK(result.manifests.empty());
  CHECK(errorTexts(result) ==
        std::vector<std::string>{(dir.path() / "a.json").string() + ": plugin folder is not a directory"});
}

TEST_CASE("a folder listed twice is scanned once") {
  TempDir dir;
  writeManifest(dir.path() / "p" / "a.json", "a");
  fs::create_directory_symlink(dir.path() / "p", dir.path() / "link");
  const DiscoveryResult result =
      discover({dir.path() / "p", dir.path() / "p" / ".." / "p", dir.path() / "link", dir.path() / "p/"});
  CHECK(result.errors.empty());
  CHECK(ids(result) == std::vector<std::string>{"a"});
}

TEST_CASE("invalid and unreadable manifests are all reported, valid ones kept") {
  TempDir dir;
  writeManifest(dir.path() / "a.json", "a");
  write(dir.path() / "b.json", "{\"id\": \"Bad-Id\"}");
  write(dir.path() / "c.json", "not json");
  fs::create_symlink(dir.path() / "gone.txt", dir.path() / "d.json");  // dangling
  writeManifest(dir.path() / "e.json", "e");
  const DiscoveryResult result = discover({dir.path()});
  CHECK(ids(result) == std::vector<std::string>{"a", "e"});
  const auto errors = errorTexts(result);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == (dir.path() / "b.json").string() +
                         ": field 'id': expected a plugin id matching [a-z][a-z0-9_]*, got \"Bad-Id\"");
  CHECK(errors[1].rfind((dir.path() / "c.json").string() + ": not valid JSON at line 1, column 2: ", 0) == 0);
  CHECK(errors[2] == (dir.path() / "d.json").string() + ": cannot read: No such file or directory");
}

TEST_CASE("no folders, no manifests") {
  const DiscoveryResult result = discover({});
  CHECK(result.manifests.empty());
  CHECK(result.errors.empty());
}
