// Versions and SDK version ranges: every range form, the semver 2.0 precedence rules and
// the errors that name the bad part.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/plugins/semver.hpp"

using orrery::plugins::SemverError;
using orrery::plugins::Version;
using orrery::plugins::VersionRange;

namespace {

Version version(std::string_view text) {
  auto parsed = Version::parse(text);
  if (auto* error = std::get_if<SemverError>(&parsed)) FAIL(error->message);
  return std::get<Version>(parsed);
}

SemverError versionError(std::string_view text) {
  auto parsed = Version::parse(text);
  REQUIRE_MESSAGE(std::holds_alternative<SemverError>(parsed), "accepted: ", text);
  return std::get<SemverError>(parsed);
}

VersionRange range(std::string_view text) {
  auto parsed = VersionRange::parse(text);
  if (auto* error = std::get_if<SemverError>(&parsed)) FAIL(error->message);
  return std::get<VersionRange>(parsed);
}

SemverError rangeError(std::string_view text) {
  auto parsed = VersionRange::parse(text);
  REQUIRE_MESSAGE(std::holds_alternative<SemverError>(parsed), "accepted: ", text);
  return std::get<SemverError>(parsed);
}

// Checks `text` against versions it must and must not contain.
void check(std::string_view text, const std::vector<std::string>& in,
           const std::vector<std::string>& out) {
  const VersionRange r = range(text);
  for (const auto& v : in) CHECK_MESSAGE(r.contains(version(v)), text, " should contain ", v);
  for (const auto& v : out) CHECK_MESSAGE(!r.contains(version(v)), text, " should not contain ", v);
}

}  // namespace

TEST_CASE("a version parses into its parts and prints back") {
  const Version v = version("1.22.333-alpha.1+build.5");
  CHECK(v.major == 1);
  CHECK(v.minor == 22);
  CHECK(v.patch == 333);
  CHECK(v.prerelease == std::vector<std::string>{"alpha", "1"});
  CHECK(v.build == std::vector<std::string>{"build", "5"});
  CHECK(v.toString() == "1.22.333-alpha.1+build.5");
  CHECK(version("0.0.0").toString() == "0.0.0");
  CHECK(version("1.0.0-x-y-z.--").toString() == "1.0.0-x-y-z.--");
  CHECK(version("1.0.0+0017.beta").build == std::vector<std::string>{"0017", "beta"});
  CHECK(version("999999999999999999.0.0").major == 999999999999999999ULL);
}

TEST_CASE("malformed versions are refused with the reason") {
  struct Case {
    const char* text;
    const char* reason;
  };
  for (const Case c : {Case{"", "empty"}, Case{"1.2", "needs three numbers"},
                       Case{"1.2.3.4", "more than three numbers"},
                       Case{"01.2.3", "major '01' has a leading zero"},
                       Case{"1.02.3", "minor '02' has a leading zero"},
                       Case{"1.2.3-01", "'01' has a leading zero"},
                       Case{"1.2.3-", "empty prerelease identifier"},
                       Case{"1.2.3-a..b", "empty prerelease identifier"},
                       Case{"1.2.3+", "empty build metadata identifier"},
                       Case{"1.2.3-be_ta", "may only contain"}, Case{"v1.2.3", "not a number"},
                       Case{"1.2.3 ", "not a number"}, Case{"1.x.3", "not a number"},
                       Case{"1000000000000000000.0.0", "more than 18 digits"}}) {
    const SemverError error = versionError(c.text);
    CHECK(error.part == c.text);
    CHECK_MESSAGE(error.message.find("invalid version \"" + std::string(c.text) + "\"") == 0,
                  error.message);
    CHECK_MESSAGE(error.message.find(c.reason) != std::string::npos, error.message);
    CHECK_MESSAGE(error.message.find("X.Y.Z") != std::string::npos, error.message);
  }
}

TEST_CASE("control characters in a bad version are escaped in the message") {
  const SemverError error = versionError("1.0\n.0");
  CHECK(error.message.find('\n') == std::string::npos);
  CHECK(error.message.find("1.0\\x0a.0") != std::string::npos);
}

TEST_CASE("precedence follows semver 2.0") {
  // The chain from semver.org, item 11, plus major/minor/patch order.
  const std::vector<std::string> ascending{
      "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
      "1.0.0-beta.11", "1.0.0-rc.1",  "1.0.0",            "1.0.1",      "1.2.0",
      "1.10.0",      "2.0.0",         "10.0.0"};
  for (std::size_t i = 0; i + 1 < ascending.size(); ++i) {
    CHECK_MESSAGE(version(ascending[i]) < version(ascending[i + 1]), ascending[i], " < ",
                  ascending[i + 1]);
    CHECK(version(ascending[i + 1]) > version(ascending[i]));
  }
  SUBCASE("numeric identifiers compare as numbers and sort before alphanumeric ones") {
    CHECK(version("1.0.0-2") < version("1.0.0-10"));
    CHECK(version("1.0.0-999") < version("1.0.0-a"));
    CHECK(version("1.0.0-B") < version("1.0.0-a"));  // ASCII order
  }
  SUBCASE("build metadata does not count") {
    CHECK(version("1.0.0+a") == version("1.0.0+b"));
    CHECK(version("1.0.0+a") == version("1.0.0"));
    CHECK_FALSE(version("1.0.0-rc.1+x") == version("1.0.0+x"));
  }
}

TEST_CASE("* accepts any release") {
  check("*", {"0.0.0", "1.2.3", "99.0.0"}, {"1.0.0-beta"});
  check("x", {"3.0.0"}, {});
  CHECK(range("*").contains(version("1.0.0-beta"), true));
}

TEST_CASE("an exact version, with or without =") {
  check("1.2.3", {"1.2.3", "1.2.3+build"}, {"1.2.4", "1.2.2", "1.2.3-beta"});
  check("=1.2.3", {"1.2.3"}, {"1.2.4", "1.2.2"});
  check("1.2.3-beta.1", {"1.2.3-beta.1"}, {"1.2.3-beta.2", "1.2.3"});
}

TEST_CASE("caret keeps the major version") {
  check("^1.2.3", {"1.2.3", "1.2.10", "1.9.0"}, {"1.2.2", "2.0.0", "2.0.0-alpha", "0.9.0"});
  check("^1.2", {"1.2.0", "1.9.9"}, {"1.1.9", "2.0.0"});
  check("^1", {"1.0.0", "1.9.9"}, {"0.9.9", "2.0.0"});
  // The upper bound is 2.0.0-0: prereleases of the next major stay out even when asked for.
  CHECK_FALSE(range("^1.2.3").contains(version("2.0.0-alpha"), true));
}

TEST_CASE("caret on 0.x keeps the minor version") {
  check("^0.2.3", {"0.2.3", "0.2.9"}, {"0.2.2", "0.3.0", "1.0.0"});
  check("^0.2", {"0.2.0", "0.2.9"}, {"0.3.0", "0.1.9"});
  check("^0.0.3", {"0.0.3", "0.0.9"}, {"0.0.2", "0.1.0"});
  check("^0", {"0.0.0", "0.9.9"}, {"1.0.0"});
}

TEST_CASE("tilde keeps the minor version when given") {
  check("~1.2.3", {"1.2.3", "1.2.9"}, {"1.2.2", "1.3.0"});
  check("~1.2", {"1.2.0", "1.2.9"}, {"1.1.0", "1.3.0"});
  check("~1", {"1.0.0", "1.9.0"}, {"2.0.0", "0.9.0"});
  check("~0.2.3", {"0.2.3", "0.2.4"}, {"0.3.0"});
}

TEST_CASE("x-ranges and partial versions") {
  for (const char* text : {"1.x", "1.X", "1.*", "1.x.x", "1"}) {
    check(text, {"1.0.0", "1.99.5"}, {"0.9.9", "2.0.0"});
  }
  for (const char* text : {"1.2.x", "1.2.*", "1.2", "=1.2"}) {
    check(text, {"1.2.0", "1.2.7"}, {"1.1.9", "1.3.0"});
  }
}

TEST_CASE("comparators, separated by spaces, must all hold") {
  check(">=1.0.0 <2.0.0", {"1.0.0", "1.5.0", "1.99.99"}, {"0.9.9", "2.0.0"});
  check(">1.0.0", {"1.0.1"}, {"1.0.0"});
  check("<=1.5.0", {"1.5.0", "0.1.0"}, {"1.5.1"});
  check("<1.0.0", {"0.9.9"}, {"1.0.0"});
  check(">= 1.0.0   <  2.0.0", {"1.0.0"}, {"2.0.0"});  // space after an operator is allowed
  check(">=1.0.0\t<2.0.0", {"1.2.0"}, {"2.1.0"});
  check("^1.0.0 <1.5.0", {"1.4.9"}, {"1.5.0"});
}

TEST_CASE("missing parts in comparators read as 0") {
  check(">=1", {"1.0.0"}, {"0.9.9"});
  check(">1.2", {"1.2.1"}, {"1.2.0"});  // >1.2.0, not npm's >=1.3.0
  check("<=1.2", {"1.2.0"}, {"1.2.1"});
  check("<2", {"1.9.9"}, {"2.0.0"});
  check(">=1.x", {"1.0.0"}, {"0.9.0"});
}

TEST_CASE("|| offers alternatives") {
  check("^1.0.0 || ^3.0.0", {"1.5.0", "3.1.0"}, {"2.0.0", "4.0.0"});
  check("1.x||3.x", {"1.0.0", "3.0.0"}, {"2.0.0"});
  check(">=1.0.0 <1.2.0 || >=2.0.0 <2.2.0", {"1.1.0", "2.1.0"}, {"1.5.0", "2.5.0"});
}

TEST_CASE("a prerelease matches only when its X.Y.Z is named with a prerelease") {
  check("^1.2.3-beta.1", {"1.2.3-beta.1", "1.2.3-beta.2", "1.2.3", "1.3.0"},
        {"1.2.3-alpha", "1.3.0-alpha", "1.2.3-beta.0"});
  check(">=1.0.0-rc.1 <2.0.0", {"1.0.0-rc.2", "1.4.0"}, {"1.4.0-rc.1"});
  check(">=1.0.0", {"1.0.0"}, {"1.5.0-rc.1"});
  SUBCASE("includePrerelease compares by precedence alone") {
    CHECK(range(">=1.0.0").contains(version("1.5.0-rc.1"), true));
    CHECK_FALSE(range(">=1.0.0").contains(version("1.0.0-rc.1"), true));
  }
}

TEST_CASE("toString prints the range canonically, as written") {
  CHECK(range("  ^1.2   >= 1.0.0 ||~2  ").toString() == "^1.2 >=1.0.0 || ~2");
  CHECK(range("*").toString() == "*");
  CHECK(range("1.2.3-beta+b").toString() == "1.2.3-beta+b");
}

TEST_CASE("a bad range names the bad part") {
  struct Case {
    const char* text;
    const char* part;
    const char* reason;
  };
  for (const Case c : {
           Case{"^1 ||", "||", "empty"},
           Case{"|| ^1", "||", "empty"},
           Case{"^1 |||| ^2", "||", "empty"},
           Case{"1.2.3.4", "1.2.3.4", "at most three numbers"},
           Case{"^", "^", "expected a version after the operator"},
           Case{">=1.0.0 <", "<", "expected a version after the operator"},
           Case{"1.x.3", "1.x.3", "cannot follow a wildcard"},
           Case{"1.2-beta", "1.2-beta", "needs a full X.Y.Z"},
           Case{"^1.2.3-", "^1.2.3-", "empty prerelease identifier"},
           Case{"v1.0.0", "v1.0.0", "expected a comparator"},
           Case{"1.0.0 - 2.0.0", "-", "expected a comparator"},
           Case{">=1.0.0<2.0.0", "1.0.0<2.0.0", "separate comparators with a space"},
           Case{"1.0.0 | 2.0.0", "|", "expected a comparator"},
           Case{"^01.2", "^01.2", "leading zero"},
           Case{"> = 1", "=", "expected a comparator"},
           Case{"latest", "latest", "expected a comparator"},
       }) {
    const SemverError error = rangeError(c.text);
    CHECK_MESSAGE(error.part == c.part, c.text, " -> ", error.part);
    CHECK_MESSAGE(error.message.find("invalid version range \"" + std::string(c.text) + "\"") == 0,
                  error.message);
    CHECK_MESSAGE(error.message.find("bad part \"" + std::string(c.part) + "\"") !=
                      std::string::npos,
                  error.message);
    CHECK_MESSAGE(error.message.find(c.reason) != std::string::npos, error.message);
  }
}

TEST_CASE("an empty range is refused, pointing at *") {
  for (const char* text : {"", "   "}) {
    const SemverError error = rangeError(text);
    CHECK(error.message.find("empty (use * to accept any version)") != std::string::npos);
  }
}
