#include "core/http/percent_decoding.hpp"

#include <cctype>

namespace orrery::server {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hexValue(text[i + 1]);
      const int low = hexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      const char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') return std::nullopt;
      out += decoded;
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string originForm(std::string_view target) {
  // Absolute-form (sent to proxies, allowed to servers): drop the scheme and authority.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < scheme.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(target[i])) == scheme[i];
    }
    if (!same) continue;
    const auto end = target.find_first_of("/?#", scheme.size());
    if (end == std::string_view::npos) return "/";
    if (target[end] == '/') return std::string(target.substr(end));
    std::string out = "/";  // appended: g++ 12 -O3 warns (-Wrestrict) on "/" + string
    out.append(target.substr(end));
    return out;
  }
  return std::string(target);
}

std::optional<ParsedTarget> parseTarget(std::string_view original, std::string& error) {
  const std::string origin = originForm(original);
  std::string_view target = origin;
  if (target.empty() || target.front() != '/') {
    error = "the request target must be a path starting with '/'";
    return std::nullopt;
  }
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);

  ParsedTarget parsed;
  const auto question = target.find('?');
  parsed.rawPath = std::string(target.substr(0, question));
  auto path = percentDecode(parsed.rawPath);
  if (!path) {
    error = "the request path has an invalid percent-encoding";
    return std::nullopt;
  }
  parsed.path = std::move(*path);
  if (question == std::string_view::npos) return parsed;

  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percentDecode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>("") : percentDecode(pair.substr(eq + 1), true);
    if (!name || !value) {
      error = "the query string has an invalid percent-encoding near '" + std::string(pair.substr(0, 64)) + "'";
      return std::nullopt;
    }
    parsed.query.emplace_back(std::move(*name), std::move(*value));
  }
  return parsed;
}

}  // namespace orrery::server
