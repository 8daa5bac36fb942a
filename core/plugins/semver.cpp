#include "core/plugins/semver.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace orrery::plugins {
namespace {

// Texts come from manifests written by anyone: keep control characters out of messages
// so that one bad manifest cannot forge log lines.
std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool allDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), isDigit); }

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

// Empty optional plus a reason when `text` is not a version number.
std::optional<std::uint64_t> parseNumber(std::string_view text, const char* what,
                                         std::string& reason) {
  if (text.empty()) {
    reason = std::string("missing ") + what + " number";
    return std::nullopt;
  }
  if (!allDigits(text)) {
    reason = std::string(what) + " '" + printable(text) + "' is not a number";
    return std::nullopt;
  }
  if (text.size() > 1 && text.front() == '0') {
    reason = std::string(what) + " '" + std::string(text) + "' has a leading zero";
    return std::nullopt;
  }
  if (text.size() > kMaxVersionNumberDigits) {
    reason = std::string(what) + " '" + std::string(text) + "' has more than " +
             std::to_string(kMaxVersionNumberDigits) + " digits";
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

bool parseIdentifiers(std::string_view text, bool prerelease, std::vector<std::string>& out,
                      std::string& reason) {
  const char* what = prerelease ? "prerelease" : "build metadata";
  for (const std::string_view ident : split(text, '.')) {
    if (ident.empty()) {
      reason = std::string("empty ") + what + " identifier";
      return false;
    }
    if (!std::all_of(ident.begin(), ident.end(), isIdentChar)) {
      reason = std::string(what) + " identifier '" + printable(ident) +
               "' may only contain 0-9, a-z, A-Z and -";
      return false;
    }
    if (prerelease && ident.size() > 1 && ident.front() == '0' && allDigits(ident)) {
      reason = "numeric prerelease identifier '" + std::string(ident) + "' has a leading zero";
      return false;
    }
    out.emplace_back(ident);
  }
  return true;
}

// Semver 2.0 rule 11: numeric identifiers compare numerically and sort before
// alphanumeric ones, which compare in ASCII order.
template <class T>
std::strong_ordering orderOf(T x, T y) {
  return x < y ? std::strong_ordering::less : x > y ? std::strong_ordering::greater : std::strong_ordering::equal;
}

std::strong_ordering compareIdentifier(const std::string& a, const std::string& b) {
  const bool an = allDigits(a);
  const bool bn = allDigits(b);
  if (an && bn) {
    // No leading zeros, so the longer number is the larger one.
    if (a.size() != b.size()) return orderOf(a.size(), b.size());
    return orderOf(a.compare(b), 0);
  }
  if (an != bn) return an ? std::strong_ordering::less : std::strong_ordering::greater;
  return orderOf(a.compare(b), 0);
}

Version lowestPrereleaseOf(std::uint64_t major, std::uint64_t minor, std::uint64_t patch) {
  // X.Y.Z-0 is the lowest version of X.Y.Z, so "< X.Y.Z-0" also keeps out its prereleases.
  Version v{major, minor, patch, {"0"}, {}};
  return v;
}

// The reason, without the surrounding sentence, so that a range can quote it too.
bool parseVersion(std::string_view text, Version& v, std::string& reason) {
  if (text.empty()) {
    reason = "empty";
    return false;
  }
  std::string_view rest = text;
  const std::size_t plus = rest.find('+');
  if (plus != std::string_view::npos) {
    if (!parseIdentifiers(rest.substr(plus + 1), false, v.build, reason)) return false;
    rest = rest.substr(0, plus);
  }
  const std::size_t dash = rest.find('-');
  if (dash != std::string_view::npos) {
    if (!parseIdentifiers(rest.substr(dash + 1), true, v.prerelease, reason)) return false;
    rest = rest.substr(0, dash);
  }
  const std::vector<std::string_view> pieces = split(rest, '.');
  if (pieces.size() != 3) {
    reason = pieces.size() < 3 ? "needs three numbers" : "has more than three numbers";
    return false;
  }
  const auto major = parseNumber(pieces[0], "major", reason);
  if (!major) return false;
  const auto minor = parseNumber(pieces[1], "minor", reason);
  if (!minor) return false;
  const auto patch = parseNumber(pieces[2], "patch", reason);
  if (!patch) return false;
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  return true;
}

bool isWildcard(std::string_view s) { return s == "*" || s == "x" || s == "X"; }

// A version as written inside a range: possibly partial (1, 1.2, 1.x) or a wildcard.
struct Partial {
  std::size_t numbers = 0;  // how many of major/minor/patch are given as numbers
  std::array<std::uint64_t, 3> parts{0, 0, 0};
  Version full;  // numbers == 3: the whole version, prerelease and build included

  Version withZeros() const {
    if (numbers == 3) return full;
    return Version{parts[0], parts[1], parts[2], {}, {}};
  }
};

std::optional<Partial> parsePartial(std::string_view token, std::string& reason) {
  if (token.empty()) {
    reason = "expected a version after the operator";
    return std::nullopt;
  }
  const std::size_t suffix = token.find_first_of("-+");
  const std::string_view core = token.substr(0, suffix);
  const std::vector<std::string_view> pieces = split(core, '.');
  if (pieces.size() > 3) {
    reason = "a version has at most three numbers (X.Y.Z)";
    return std::nullopt;
  }
  static constexpr std::array<const char*, 3> kNames{"major", "minor", "patch"};
  Partial partial;
  bool wildcardSeen = false;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (isWildcard(pieces[i])) {
      wildcardSeen = true;
      continue;
    }
    if (wildcardSeen) {
      reason = std::string("a number cannot follow a wildcard (x or *); write ") +
               std::string(kNames[i]) + " as x too";
      return std::nullopt;
    }
    const auto value = parseNumber(pieces[i], kNames[i], reason);
    if (!value) return std::nullopt;
    partial.parts[i] = *value;
    partial.numbers = i + 1;
  }
  if (suffix != std::string_view::npos) {
    if (partial.numbers != 3) {
      reason = "a prerelease or build suffix needs a full X.Y.Z version";
      return std::nullopt;
    }
    if (!parseVersion(token, partial.full, reason)) return std::nullopt;
  } else if (partial.numbers == 3) {
    partial.full = Version{partial.parts[0], partial.parts[1], partial.parts[2], {}, {}};
  }
  return partial;
}

void desugar(std::string_view op, const Partial& p, std::vector<VersionBound>& bounds) {
  using Op = VersionBound::Op;
  const auto [x, y, z] = p.parts;
  (void)z;
  if (op == ">=" || op == "<=" || op == ">" || op == "<") {
    const Op kind = op == ">=" ? Op::ge : op == "<=" ? Op::le : op == ">" ? Op::gt : Op::lt;
    bounds.push_back({kind, p.withZeros()});
    return;
  }
  if (p.numbers == 0) return;  // ^*, ~*, =*, *: any version
  if (op == "^") {
    bounds.push_back({Op::ge, p.withZeros()});
    if (x > 0 || p.numbers == 1) {
      bounds.push_back({Op::lt, lowestPrereleaseOf(x + 1, 0, 0)});
    } else {
      bounds.push_back({Op::lt, lowestPrereleaseOf(0, y + 1, 0)});
    }
    return;
  }
  if (op == "~") {
    bounds.push_back({Op::ge, p.withZeros()});
    if (p.numbers == 1) {
      bounds.push_back({Op::lt, lowestPrereleaseOf(x + 1, 0, 0)});
    } else {
      bounds.push_back({Op::lt, lowestPrereleaseOf(x, y + 1, 0)});
    }
    return;
  }
  // "=" or no operator: exact when complete, otherwise every version the parts allow.
  switch (p.numbers) {
    case 3:
      bounds.push_back({Op::eq, p.full});
      return;
    case 2:
      bounds.push_back({Op::ge, p.withZeros()});
      bounds.push_back({Op::lt, lowestPrereleaseOf(x, y + 1, 0)});
      return;
    default:
      bounds.push_back({Op::ge, p.withZeros()});
      bounds.push_back({Op::lt, lowestPrereleaseOf(x + 1, 0, 0)});
      return;
  }
}

bool satisfies(const Version& v, const VersionBound& bound) {
  const auto order = v <=> bound.version;
  switch (bound.op) {
    case VersionBound::Op::eq: return order == 0;
    case VersionBound::Op::gt: return order > 0;
    case VersionBound::Op::ge: return order >= 0;
    case VersionBound::Op::lt: return order < 0;
    case VersionBound::Op::le: return order <= 0;
  }
  return false;
}

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

constexpr const char* kRangeForms =
    "expected a comparator such as *, 1.2.3, ^1.2.3, ~1.2, 1.x, >=1.0.0 or <2.0.0";

}  // namespace

std::variant<Version, SemverError> Version::parse(std::string_view text) {
  Version v;
  std::string reason;
  if (!parseVersion(text, v, reason)) {
    return SemverError{std::string(text),
                       "invalid version \"" + printable(text) + "\": " + reason +
                           " (expected X.Y.Z with optional -prerelease and +build, such as "
                           "1.2.3 or 1.2.3-beta.1)"};
  }
  return v;
}

std::string Version::toString() const {
  std::string out = std::to_string(major) + "." + std::to_string(minor) + "." +
                    std::to_string(patch);
  for (std::size_t i = 0; i < prerelease.size(); ++i) out += (i == 0 ? "-" : ".") + prerelease[i];
  for (std::size_t i = 0; i < build.size(); ++i) out += (i == 0 ? "+" : ".") + build[i];
  return out;
}

// Written with plain integer comparisons: g++ 12 at -O2 miscompiled the chained
// `if (auto c = a <=> b; c != 0) return c;` form here (wrong results, no UB reported).
std::strong_ordering operator<=>(const Version& a, const Version& b) {
  const auto number = [](std::uint64_t x, std::uint64_t y) { return orderOf(x, y); };
  if (a.major != b.major) return number(a.major, b.major);
  if (a.minor != b.minor) return number(a.minor, b.minor);
  if (a.patch != b.patch) return number(a.patch, b.patch);
  // A version without prerelease ranks above all of its prereleases.
  if (a.prerelease.empty() != b.prerelease.empty()) {
    return a.prerelease.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  }
  const std::size_t n = std::min(a.prerelease.size(), b.prerelease.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = compareIdentifier(a.prerelease[i], b.prerelease[i]);
    if (c != std::strong_ordering::equal) return c;
  }
  return number(a.prerelease.size(), b.prerelease.size());
}

std::variant<VersionRange, SemverError> VersionRange::parse(std::string_view text) {
  const auto fail = [&](std::string_view part,
                        const std::string& reason) -> std::variant<VersionRange, SemverError> {
    return SemverError{std::string(part), "invalid version range \"" + printable(text) +
                                              "\": bad part \"" + printable(part) + "\": " +
                                              reason};
  };
  if (trim(text).empty()) {
    return SemverError{std::string(text), "invalid version range \"" + printable(text) +
                                              "\": empty (use * to accept any version)"};
  }
  VersionRange range;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = text.find("||", start);
    const std::string_view setText =
        text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    if (trim(setText).empty()) {
      return fail("||", "an alternative on one side of || is empty");
    }
    ComparatorSet set;
    std::size_t i = 0;
    while (i < setText.size()) {
      if (isSpace(setText[i])) {
        ++i;
        continue;
      }
      const std::size_t begin = i;
      std::string_view op;
      for (const std::string_view candidate : {">=", "<=", ">", "<", "=", "^", "~"}) {
        if (setText.substr(i, candidate.size()) == candidate) {
          op = candidate;
          break;
        }
      }
      i += op.size();
      while (i < setText.size() && isSpace(setText[i])) ++i;  // ">= 1.0.0" is one comparator
      const std::size_t tokenStart = i;
      while (i < setText.size() && !isSpace(setText[i])) ++i;
      const std::string_view part = setText.substr(begin, i - begin);
      const std::string_view token = setText.substr(tokenStart, i - tokenStart);
      if (token.empty()) return fail(part, "expected a version after the operator");
      if (token.find_first_of("<>=^~|") != std::string_view::npos) {
        return fail(token, std::string(kRangeForms) +
                               " (separate comparators with a space, alternatives with ||)");
      }
      if (!isDigit(token.front()) && !isWildcard(token.substr(0, 1))) {
        return fail(token, kRangeForms);
      }
      std::string reason;
      const auto partial = parsePartial(token, reason);
      if (!partial) return fail(part, reason);
      desugar(op, *partial, set.bounds);
      if (partial->numbers == 3 && !partial->full.prerelease.empty()) {
        set.prereleaseAnchors.push_back(partial->full);
      }
      set.written.push_back(std::string(op) + std::string(token));
    }
    range.sets_.push_back(std::move(set));
    if (bar == std::string_view::npos) break;
    start = bar + 2;
  }
  return range;
}

bool VersionRange::contains(const Version& version, bool includePrerelease) const {
  for (const ComparatorSet& set : sets_) {
    const bool inBounds = std::all_of(set.bounds.begin(), set.bounds.end(),
                                      [&](const VersionBound& b) { return satisfies(version, b); });
    if (!inBounds) continue;
    if (version.prerelease.empty() || includePrerelease) return true;
    for (const Version& anchor : set.prereleaseAnchors) {
      if (anchor.major == version.major && anchor.minor == version.minor &&
          anchor.patch == version.patch) {
        return true;
      }
    }
  }
  return false;
}

std::string VersionRange::toString() const {
  std::string out;
  for (std::size_t s = 0; s < sets_.size(); ++s) {
    if (s > 0) out += " || ";
    for (std::size_t c = 0; c < sets_[s].written.size(); ++c) {
      if (c > 0) out += ' ';
      out += sets_[s].written[c];
    }
  }
  return out;
}

}  // namespace orrery::plugins
