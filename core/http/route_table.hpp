// The routes of one surface, and how a request path finds its route.
//
// A route pattern is literal segments and `{name}` parameters, one per segment. Matching
// works on the raw (percent-encoded) path split at '/', each segment decoded on its own,
// so "%2F" inside an id is part of the id, not a separator. When several routes match, a
// literal segment beats a parameter at the first place they differ
// (`/api/reports/_list` wins over `/api/reports/{id}`).
//
// Routes are added during setup, then the table is sealed and only read: lookups take
// no lock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "orrery/http/router.hpp"

namespace orrery::server {

struct Route {
  // Keeps the owner's library loaded while the route (and so its handler code) exists.
  // First, so that it is released last, after the handler.
  std::shared_ptr<void> library;
  http::Method method = http::Method::get;
  std::string pattern;
  // Literal text, or the parameter name when `isParam`.
  struct Segment {
    std::string text;
    bool isParam = false;
  };
  std::vector<Segment> segments;
  http::Handler handler;
  http::RouteOptions options;
  std::string owner;  // plugin id, or "core"
};

struct RouteLookup {
  enum class Kind { found, methodNotAllowed, notFound, badPath };
  Kind kind = Kind::notFound;
  std::shared_ptr<const Route> route;
  std::map<std::string, std::string, std::less<>> params;
  std::vector<http::Method> allowed;  // for methodNotAllowed
};

class RouteTable {
 public:
  // `requiredPrefixes`: a pattern must start with one of them (empty: any).
  explicit RouteTable(std::vector<std::string> requiredPrefixes = {});

  // Throws http::RouteError when the pattern is malformed, outside the allowed prefixes,
  // conflicts with an existing route, or the table is sealed.
  void add(Route route);

  // Keeps only the routes whose owner passes `keep`, then refuses further additions.
  // Returns the routes dropped.
  std::vector<std::string> seal(const std::function<bool(const std::string& owner)>& keep);

  // Removes `owner`'s routes (a plugin that failed), freeing their paths; returns how
  // many. A sealed table is read without a lock and keeps them: its owners can fail only
  // in stop, once it is no longer served, and seal() already dropped those that had not
  // started.
  std::size_t withdraw(const std::string& owner);

  // `rawPath` is percent-encoded, without the query. HEAD falls back to GET routes.
  RouteLookup find(http::Method method, std::string_view rawPath) const;

  std::size_t size() const;

 private:
  std::vector<std::string> requiredPrefixes_;
  mutable std::mutex mutex_;  // guards additions; lookups after seal() need none
  std::atomic<bool> sealed_{false};
  std::vector<std::shared_ptr<const Route>> routes_;
};

// Splits a pattern into segments; throws http::RouteError naming what is wrong.
std::vector<Route::Segment> parsePattern(std::string_view pattern);

}  // namespace orrery::server
