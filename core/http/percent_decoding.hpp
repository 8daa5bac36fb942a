// Percent-decoding of request targets (RFC 3986), and splitting a target into a path and
// query parameters. Bad encodings are errors for the client, never guessed at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::server {

// Decodes %XX escapes (and '+' as a space when `plusIsSpace`, for query strings).
// Returns nullopt for a malformed escape or an encoded NUL byte.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace = false);

struct ParsedTarget {
  std::string rawPath;  // as sent, origin-form
  std::string path;     // decoded
  std::vector<std::pair<std::string, std::string>> query;
};

// The origin form ("/a/b?x=1") of an origin-form or absolute-form target: the scheme and
// authority of "http://host/a/b?x=1" (any case) are dropped, and "http://host?x=1" is
// "/?x=1". Other targets are returned unchanged.
std::string originForm(std::string_view target);

// Parses an origin-form ("/a/b?x=1") or absolute-form ("http://host/a/b?x=1") target.
// On failure returns nullopt and sets `error` to a message for the client.
std::optional<ParsedTarget> parseTarget(std::string_view target, std::string& error);

}  // namespace orrery::server
