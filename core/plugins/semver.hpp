// Semantic versions and version ranges, as a plugin manifest states them: its own
// `version` and the `sdkVersion` range of SDKs it was written for. The loader checks the
// host's SDK version against that range before it runs any plugin code.
//
// Versions follow semver 2.0 (precedence ignores build metadata). Ranges follow the
// npm/node-semver notation plugin authors already know, with two deliberate rules from
// the Orrery spec: a caret on 0.x keeps the minor (^0.0.3 is >=0.0.3 <0.1.0-0), and a
// partial version after >=, <=, > or < reads its missing parts as 0 (>1.2 is >1.2.0).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace orrery::plugins {

// Why a version or range text was refused. `part` is the offending piece (a comparator
// of a range, or the whole text of a version); `message` is a full sentence naming it.
struct SemverError {
  std::string part;
  std::string message;
};

// Major, minor and patch are capped at 18 digits so that the +1 of caret and tilde
// bounds never overflows; manifests/manifest.schema.json states the same cap.
inline constexpr std::size_t kMaxVersionNumberDigits = 18;

struct Version {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers after '-'
  std::vector<std::string> build;       // after '+'; ignored by comparisons

  // Strict X.Y.Z[-prerelease][+build]; no leading 'v', no leading zeros, no spaces.
  static std::variant<Version, SemverError> parse(std::string_view text);

  std::string toString() const;

  // Semver 2.0 precedence: build metadata does not count, so 1.0.0+a == 1.0.0+b.
  friend std::strong_ordering operator<=>(const Version& a, const Version& b);
  friend bool operator==(const Version& a, const Version& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }
};

// One primitive bound after desugaring: ^1.2.3 becomes >=1.2.3 and <2.0.0-0.
struct VersionBound {
  enum class Op { eq, gt, ge, lt, le };
  Op op = Op::ge;
  Version version;
};

// A `||`-separated list of comparator sets; a version matches the range when it matches
// every comparator of at least one set.
class VersionRange {
 public:
  // Grammar: range := set ('||' set)*; set := comparator (' ' comparator)*;
  // comparator := ('^'|'~'|'>='|'<='|'>'|'<'|'=')? ' '* partial;
  // partial := '*' | 'x' | N | N.M | N.M.P[-pre][+build], where M and P may be x or *.
  static std::variant<VersionRange, SemverError> parse(std::string_view text);

  // Like npm, a prerelease version matches a set only if one of the set's comparators
  // names a prerelease of the same X.Y.Z (^1.2.3-beta.1 takes 1.2.3-beta.2, never
  // 1.3.0-alpha), so nobody gets a prerelease by accident. includePrerelease drops that
  // rule and compares by precedence alone.
  bool contains(const Version& version, bool includePrerelease = false) const;

  // Canonical text as written: comparators separated by one space, sets by " || ".
  std::string toString() const;

 private:
  struct ComparatorSet {
    std::vector<std::string> written;          // each comparator as written, no spaces
    std::vector<VersionBound> bounds;          // empty means "any version"
    std::vector<Version> prereleaseAnchors;    // written versions that have a prerelease
  };
  std::vector<ComparatorSet> sets_;
};

}  // namespace orrery::plugins
