// The sample manifests shared with the JSON Schema check (tests/unit/manifests/
// check_schema.py): the C++ parser accepts every valid sample and refuses every invalid
// one, for the reason its name gives.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/plugins/manifest.hpp"

namespace fs = std::filesystem;
using orrery::plugins::loadManifest;
using orrery::plugins::Manifest;
using orrery::plugins::ManifestError;

namespace {

const fs::path kSamples = MANIFEST_SAMPLES;

std::vector<fs::path> samples(const std::string& kind) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSamples / kind)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Which field each invalid sample must be refused for ("" when no single field is).
const std::map<std::string, std::string> kRefusedField{
    {"not-json.json", ""},
    {"top-level-array.json", ""},
    {"missing-id.json", "id"},
    {"missing-version.json", "version"},
    {"missing-sdk-version.json", "sdkVersion"},
    {"missing-library.json", "library"},
    {"id-pattern.json", "id"},
    {"id-too-long.json", "id"},
    {"id-trailing-newline.json", "id"},
    {"id-not-string.json", "id"},
    {"version-not-semver.json", "version"},
    {"version-leading-zero.json", "version"},
    {"version-number-too-long.json", "version"},
    {"version-not-string.json", "version"},
    {"sdk-version-bad-range.json", "sdkVersion"},
    {"sdk-version-empty-alternative.json", "sdkVersion"},
    {"sdk-version-trailing-newline.json", "sdkVersion"},
    {"sdk-version-hyphen-range.json", "sdkVersion"},
    {"sdk-version-not-string.json", "sdkVersion"},
    {"type-unknown.json", "type"},
    {"library-empty.json", "library"},
    {"library-absolute.json", "library"},
    {"library-not-string.json", "library"},
    {"required-not-array.json", "requiredPlugins"},
    {"required-bad-id.json", "requiredPlugins[1]"},
    {"required-duplicate.json", "requiredPlugins[1]"},
    {"required-self.json", "requiredPlugins[0]"},
    {"optional-bad-id.json", "optionalPlugins[0]"},
    {"optional-duplicate.json", "optionalPlugins[1]"},
    {"optional-self.json", "optionalPlugins[0]"},
    {"in-both-lists.json", "optionalPlugins[0]"},
    {"config-path-bad-segment.json", "configPath"},
    {"config-path-empty.json", "configPath"},
    {"config-path-reserved.json", "configPath"},
    {"config-path-reserved-by-default.json", "configPath"},
    {"description-not-string.json", "description"},
    {"owner-not-string.json", "owner"},
    {"schema-not-string.json", "$schema"},
    {"unknown-field.json", "requierdPlugins"},
    {"duplicate-key.json", "id"},
};

}  // namespace

TEST_CASE("the parser accepts every valid sample manifest") {
  const auto files = samples("valid");
  REQUIRE(!files.empty());
  for (const fs::path& file : files) {
    auto parsed = loadManifest(file);
    const auto* error = std::get_if<ManifestError>(&parsed);
    CHECK_MESSAGE(error == nullptr, (error ? error->text() : std::string()));
  }
}

TEST_CASE("the parser refuses every invalid sample manifest, for its own reason") {
  const auto files = samples("invalid");
  REQUIRE(!files.empty());
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    CAPTURE(name);
    auto parsed = loadManifest(file);
    REQUIRE_MESSAGE(std::holds_alternative<ManifestError>(parsed), "accepted: ", file.string());
    const ManifestError& error = std::get<ManifestError>(parsed);
    CHECK(error.file == file);
    const auto expected = kRefusedField.find(name);
    REQUIRE_MESSAGE(expected != kRefusedField.end(), "add ", name, " to kRefusedField");
    CHECK_MESSAGE(error.field == expected->second, error.text());
  }
}
