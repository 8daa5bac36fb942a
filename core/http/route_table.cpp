#include "core/http/route_table.hpp"

#include <algorithm>
#include <set>

#include "core/http/percent_decoding.hpp"

namespace orrery::server {

namespace {

bool validParamName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string describe(const Route& route) {
  return std::string(http::toString(route.method)) + " " + route.pattern + " (plugin '" + route.owner + "')";
}

// Same method and same shape: literals equal, parameters at the same places.
bool sameShape(const Route& a, const Route& b) {
  if (a.method != b.method || a.segments.size() != b.segments.size()) return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].isParam != b.segments[i].isParam) return false;
    if (!a.segments[i].isParam && a.segments[i].text != b.segments[i].text) return false;
  }
  return true;
}

std::optional<std::vector<std::string>> splitPath(std::string_view rawPath) {
  std::vector<std::string> segments;
  if (rawPath == "/") return segments;
  std::size_t start = 1;
  while (start <= rawPath.size()) {
    const auto slash = rawPath.find('/', start);
    const auto end = slash == std::string_view::npos ? rawPath.size() : slash;
    auto decoded = percentDecode(rawPath.substr(start, end - start));
    if (!decoded) return std::nullopt;
    segments.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

// Whether `route` matches; fills `params`.
bool matches(const Route& route, const std::vector<std::string>& segments,
             std::map<std::string, std::string, std::less<>>& params) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& pattern = route.segments[i];
    if (pattern.isParam) {
      if (segments[i].empty()) return false;
    } else if (pattern.text != segments[i]) {
      return false;
    }
  }
  params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (route.segments[i].isParam) params.emplace(route.segments[i].text, segments[i]);
  }
  return true;
}

// True when `a` is more specific than `b`: a literal where `b` has a parameter, first.
bool moreSpecific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].isParam != b.segments[i].isParam) return !a.segments[i].isParam;
  }
  return false;
}

}  // namespace

std::vector<Route::Segment> parsePattern(std::string_view pattern) {
  const auto fail = [&](const std::string& why) {
    return http::RouteError("route path '" + std::string(pattern) + "' " + why);
  };
  if (pattern.empty() || pattern.front() != '/') throw fail("must start with '/'");
  if (pattern.find_first_of("?#% \t") != std::string_view::npos) {
    throw fail("may not contain '?', '#', '%' or whitespace");
  }
  std::vector<Route::Segment> segments;
  if (pattern == "/") return segments;
  if (pattern.back() == '/') throw fail("may not end with '/'");
  std::set<std::string, std::less<>> names;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    const auto slash = pattern.find('/', start);
    const auto end = slash == std::string_view::npos ? pattern.size() : slash;
    const std::string_view text = pattern.substr(start, end - start);
    if (text.empty()) throw fail("has an empty segment");
    const bool opens = text.front() == '{';
    const bool closes = text.back() == '}';
    if (opens || closes || text.find_first_of("{}") != std::string_view::npos) {
      const auto name = text.size() >= 2 ? text.substr(1, text.size() - 2) : std::string_view();
      if (!opens || !closes || !validParamName(name)) {
        throw fail("has a malformed parameter '" + std::string(text) +
                   "': a parameter is a whole segment '{name}', name [A-Za-z_][A-Za-z0-9_]*");
      }
      if (!names.emplace(name).second) throw fail("names parameter '" + std::string(name) + "' twice");
      segments.push_back({std::string(name), true});
    } else {
      segments.push_back({std::string(text), false});
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

RouteTable::RouteTable(std::vector<std::string> requiredPrefixes) : requiredPrefixes_(std::move(requiredPrefixes)) {}

void RouteTable::add(Route route) {
  route.segments = parsePattern(route.pattern);
  if (!requiredPrefixes_.empty()) {
    const bool allowed = std::any_of(requiredPrefixes_.begin(), requiredPrefixes_.end(), [&](const std::string& p) {
      // "/" among the prefixes allows the root page itself, not everything.
      return route.pattern == p || (p != "/" && route.pattern.starts_with(p + "/"));
    });
    if (!allowed) {
      std::string list;
      for (const auto& p : requiredPrefixes_) {
        if (p != "/") list += (list.empty() ? "" : ", ") + p;
      }
      throw http::RouteError("route path '" + route.pattern + "' of plugin '" + route.owner + "' must be under one of " +
                             list);
    }
  }
  if (!route.handler) throw http::RouteError("route " + describe(route) + " has no handler");
  std::lock_guard lock(mutex_);
  if (sealed_.load()) {
    throw http::RouteError("route " + describe(route) + " was added after setup: routes can only be added during setup");
  }
  for (const auto& existing : routes_) {
    if (sameShape(*existing, route)) {
      throw http::RouteError("route " + describe(route) + " conflicts with " + describe(*existing));
    }
  }
  routes_.push_back(std::make_shared<const Route>(std::move(route)));
}

std::vector<std::string> RouteTable::seal(const std::function<bool(const std::string& owner)>& keep) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> dropped;
  std::erase_if(routes_, [&](const std::shared_ptr<const Route>& route) {
    if (keep(route->owner)) return false;
    dropped.push_back(describe(*route));
    return true;
  });
  sealed_.store(true);
  return dropped;
}

std::size_t RouteTable::withdraw(const std::string& owner) {
  std::lock_guard lock(mutex_);
  if (sealed_.load()) return 0;
  return std::erase_if(routes_, [&](const std::shared_ptr<const Route>& route) { return route->owner == owner; });
}

std::size_t RouteTable::size() const {
  std::lock_guard lock(mutex_);
  return routes_.size();
}

RouteLookup RouteTable::find(http::Method method, std::string_view rawPath) const {
  RouteLookup result;
  const auto segments = splitPath(rawPath);
  if (!segments) {
    result.kind = RouteLookup::Kind::badPath;
    return result;
  }
  // Before sealing (tests, setup-time lookups) additions may still run concurrently.
  std::unique_lock lock(mutex_, std::defer_lock);
  if (!sealed_.load()) lock.lock();

  std::map<std::string, std::string, std::less<>> params;
  const std::shared_ptr<const Route>* best = nullptr;
  const std::shared_ptr<const Route>* bestGet = nullptr;  // for HEAD
  for (const auto& route : routes_) {
    if (!matches(*route, *segments, params)) continue;
    const bool exact = route->method == method;
    const bool headAsGet = method == http::Method::head && route->method == http::Method::get;
    if (exact) {
      if (!best || moreSpecific(*route, **best)) best = &route;
    } else if (headAsGet) {
      if (!bestGet || moreSpecific(*route, **bestGet)) bestGet = &route;
    } else if (std::find(result.allowed.begin(), result.allowed.end(), route->method) == result.allowed.end()) {
      result.allowed.push_back(route->method);
    }
  }
  if (!best) best = bestGet;
  if (!best) {
    result.kind = result.allowed.empty() ? RouteLookup::Kind::notFound : RouteLookup::Kind::methodNotAllowed;
    return result;
  }
  result.route = *best;
  matches(**best, *segments, result.params);
  result.kind = RouteLookup::Kind::found;
  return result;
}

}  // namespace orrery::server
