// One HTTP request as a route handler sees it: method, decoded path and query, headers,
// body, the matched route's path parameters, the request id and the current user.
#pragma once

#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orrery/http/error.hpp"
#include "orrery/http/headers.hpp"

namespace orrery::http {

enum class Method { get, head, post, put, patch, del, options, other };

inline std::string_view toString(Method method) noexcept {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::del: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: break;
  }
  return "OTHER";
}

// Who made the request. With security enabled an authenticated route always sees a real
// user; routes that allow anonymous access, and every route when security is disabled,
// see `User::anonymous()`.
struct User {
  std::string username;
  std::string fullName;
  std::vector<std::string> roles;
  // "basic", "api_key", or "anonymous".
  std::string authenticationType;
  // The API key's id when authenticationType is "api_key".
  std::string apiKeyId;

  bool isAnonymous() const noexcept { return authenticationType == "anonymous"; }
  static User anonymous() { return User{"anonymous", "", {}, "anonymous", ""}; }
};

struct Request {
  Method method = Method::get;
  // The method as sent (useful when `method` is `other`).
  std::string methodName;
  // The request target as sent: percent-encoded path and query.
  std::string target;
  // The decoded path, without the query.
  std::string path;
  // The decoded query parameters, in order; a name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  // The matched route's `{name}` parameters, decoded.
  std::map<std::string, std::string, std::less<>> params;
  // The client's X-Request-Id, or one the host generated; sent back in the response and
  // written on the access-log line.
  std::string requestId;
  std::string remoteAddress;
  User user = User::anonymous();

  // A path parameter of the matched route; throws if the route has no such parameter
  // (a programming error, reported as a 500).
  const std::string& param(std::string_view name) const {
    auto it = params.find(name);
    if (it == params.end()) throw HttpError(500, "route has no path parameter '" + std::string(name) + "'");
    return it->second;
  }

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }

  // The first value of query parameter `name`.
  std::optional<std::string_view> queryParam(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return std::string_view(value);
    }
    return std::nullopt;
  }

  // Query parameter `name` as an integer in [min, max], or `fallback` when absent; any
  // other value is a 400 naming the parameter and the expected form.
  std::int64_t queryInteger(std::string_view name, std::int64_t fallback, std::int64_t min = INT64_MIN,
                            std::int64_t max = INT64_MAX) const {
    const auto text = queryParam(name);
    if (!text) return fallback;
    std::int64_t value = 0;
    const auto* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end || value < min || value > max) {
      std::string expected = "expected an integer";
      if (min != INT64_MIN || max != INT64_MAX) {
        expected += " between " + std::to_string(min) + " and " + std::to_string(max);
      }
      throw badField("request query." + std::string(name), expected + ", got '" + std::string(*text) + "'");
    }
    return value;
  }

  // Query parameter `name` as a boolean ("true"/"false"; a bare `?name` is true).
  bool queryBool(std::string_view name, bool fallback) const {
    const auto text = queryParam(name);
    if (!text) return fallback;
    if (text->empty() || *text == "true") return true;
    if (*text == "false") return false;
    throw badField("request query." + std::string(name), "expected true or false, got '" + std::string(*text) + "'");
  }
};

}  // namespace orrery::http
