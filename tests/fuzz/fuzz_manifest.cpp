// libFuzzer target for the manifest parser: any bytes must give a Manifest or a
// ManifestError, never a crash, a hang or an exception. A valid manifest's sdkVersion
// range is also checked against a few versions, and its text must parse back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "core/plugins/manifest.hpp"
#include "core/plugins/semver.hpp"

namespace {

using orrery::plugins::Manifest;
using orrery::plugins::ManifestError;
using orrery::plugins::Version;
using orrery::plugins::VersionRange;

Version parsedVersion(std::string_view text) { return std::get<Version>(Version::parse(text)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = orrery::plugins::parseManifest(text, "fuzz/manifest.json");
  if (auto* error = std::get_if<ManifestError>(&parsed)) {
    (void)error->text();
    return 0;
  }
  const Manifest& manifest = std::get<Manifest>(parsed);
  static const Version kProbes[] = {parsedVersion("0.0.0"), parsedVersion("1.0.0"),
                                    parsedVersion("1.2.3-beta.1"), parsedVersion("2.0.0"),
                                    parsedVersion("999999999999999999.0.0")};
  for (const Version& probe : kProbes) {
    (void)manifest.sdkRange.contains(probe);
    (void)manifest.sdkRange.contains(probe, true);
  }
  // Round trips: what the parser prints, it must read back the same way.
  auto again = VersionRange::parse(manifest.sdkRange.toString());
  if (!std::holds_alternative<VersionRange>(again) ||
      std::get<VersionRange>(again).toString() != manifest.sdkRange.toString()) {
    std::abort();
  }
  auto version = Version::parse(manifest.version.toString());
  if (!std::holds_alternative<Version>(version) || !(std::get<Version>(version) == manifest.version)) {
    std::abort();
  }
  // The range compares its own plugin's version too.
  (void)manifest.sdkRange.contains(manifest.version);
  return 0;
}
