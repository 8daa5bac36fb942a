// RouteTable: patterns, matching, precedence, HEAD, 405, conflicts, prefixes, sealing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/http/route_table.hpp"
#include "http_test_support.hpp"

using orrery::http::Method;
using orrery::http::RouteError;
using orrery::server::parsePattern;
using orrery::server::Route;
using orrery::server::RouteLookup;
using orrery::server::RouteTable;
using orrery::http_test::contains;
using orrery::http_test::replying;

namespace {

Route route(Method method, std::string pattern, std::string owner = "core") {
  Route r;
  r.method = method;
  r.pattern = std::move(pattern);
  r.handler = replying("");
  r.owner = std::move(owner);
  return r;
}

std::string kindName(RouteLookup::Kind kind) {
  switch (kind) {
    case RouteLookup::Kind::found: return "found";
    case RouteLookup::Kind::methodNotAllowed: return "methodNotAllowed";
    case RouteLookup::Kind::notFound: return "notFound";
    case RouteLookup::Kind::badPath: return "badPath";
  }
  return "?";
}

// The pattern of the route `path` finds, or the lookup's kind when none.
std::string patternFor(const RouteTable& table, Method method, std::string_view path) {
  const auto lookup = table.find(method, path);
  if (lookup.kind != RouteLookup::Kind::found) return kindName(lookup.kind);
  REQUIRE(lookup.route);
  return lookup.route->pattern;
}

std::string addError(RouteTable& table, Route r) {
  try {
    table.add(std::move(r));
  } catch (const RouteError& error) {
    return error.what();
  }
  FAIL("add() did not throw");
  return {};
}

std::string patternError(std::string_view pattern) {
  try {
    parsePattern(pattern);
  } catch (const RouteError& error) {
    return error.what();
  }
  FAIL_CHECK("pattern '" << std::string(pattern) << "' was accepted");
  return {};
}

}  // namespace

TEST_CASE("parsePattern splits literals and {params}") {
  const auto segments = parsePattern("/api/reports/{id}/download");
  REQUIRE(segments.size() == 4);
  CHECK(segments[0].text == "api");
  CHECK_FALSE(segments[0].isParam);
  CHECK(segments[2].text == "id");
  CHECK(segments[2].isParam);
  CHECK(segments[3].text == "download");
  CHECK(parsePattern("/").empty());
  CHECK(parsePattern("/{_a1}")[0].isParam);
}

TEST_CASE("malformed patterns throw RouteError naming the pattern") {
  SUBCASE("missing leading '/'") {
    const auto message = patternError("api/x");
    CHECK(contains(message, "'api/x'"));
    CHECK(contains(message, "must start with '/'"));
    CHECK(contains(patternError(""), "must start with '/'"));
  }
  SUBCASE("trailing '/'") { CHECK(contains(patternError("/api/x/"), "end with '/'")); }
  SUBCASE("empty segment") { CHECK(contains(patternError("/api//x"), "empty segment")); }
  SUBCASE("two parameters in one segment") { CHECK(contains(patternError("/api/{a}{b}"), "malformed parameter")); }
  SUBCASE("parameter mixed with literal text") {
    CHECK(contains(patternError("/api/x{a}"), "malformed parameter"));
    CHECK(contains(patternError("/api/{a}x"), "malformed parameter"));
    CHECK(contains(patternError("/api/{a"), "malformed parameter"));
    CHECK(contains(patternError("/api/a}"), "malformed parameter"));
  }
  SUBCASE("bad parameter names") {
    CHECK(contains(patternError("/api/{}"), "malformed parameter"));
    CHECK(contains(patternError("/api/{1a}"), "malformed parameter"));
    CHECK(contains(patternError("/api/{a-b}"), "malformed parameter"));
    CHECK(contains(patternError("/api/{a.b}"), "malformed parameter"));
  }
  SUBCASE("duplicate parameter names") {
    CHECK(contains(patternError("/api/{id}/x/{id}"), "names parameter 'id' twice"));
  }
  SUBCASE("'?', '#', '%' and whitespace") {
    CHECK(contains(patternError("/api/x?y"), "may not contain"));
    CHECK(contains(patternError("/api/x%2F"), "may not contain"));
    CHECK(contains(patternError("/api/x#y"), "may not contain"));
    CHECK(contains(patternError("/api/x y"), "may not contain"));
  }
}

TEST_CASE("add() rejects a malformed pattern and a route without a handler") {
  RouteTable table;
  CHECK(contains(addError(table, route(Method::get, "/api/x/")), "end with '/'"));
  auto noHandler = route(Method::get, "/api/x", "reports");
  noHandler.handler = nullptr;
  CHECK(contains(addError(table, std::move(noHandler)), "no handler"));
  CHECK(table.size() == 0);
}

TEST_CASE("{param} captures a segment, decoded on its own") {
  RouteTable table;
  table.add(route(Method::get, "/api/reports/{id}/download"));

  SUBCASE("plain value") {
    const auto lookup = table.find(Method::get, "/api/reports/abc/download");
    REQUIRE(kindName(lookup.kind) == "found");
    REQUIRE(lookup.params.count("id") == 1);
    CHECK(lookup.params.at("id") == "abc");
  }
  SUBCASE("an encoded '/' stays inside the parameter") {
    const auto lookup = table.find(Method::get, "/api/reports/a%2Fb/download");
    REQUIRE(kindName(lookup.kind) == "found");
    CHECK(lookup.params.at("id") == "a/b");
  }
  SUBCASE("other escapes are decoded") {
    const auto lookup = table.find(Method::get, "/api/reports/a%20b%3F/download");
    REQUIRE(kindName(lookup.kind) == "found");
    CHECK(lookup.params.at("id") == "a b?");
  }
  SUBCASE("a raw '/' is a separator, so the shape no longer matches") {
    CHECK(patternFor(table, Method::get, "/api/reports/a/b/download") == "notFound");
  }
  SUBCASE("an empty segment does not match a parameter") {
    CHECK(patternFor(table, Method::get, "/api/reports//download") == "notFound");
  }
  SUBCASE("a malformed escape is a bad path") {
    CHECK(patternFor(table, Method::get, "/api/reports/%zz/download") == "badPath");
    CHECK(patternFor(table, Method::get, "/api/reports/%00/download") == "badPath");
  }
}

TEST_CASE("literal segments are decoded before comparison") {
  RouteTable table;
  table.add(route(Method::get, "/api/_list"));
  CHECK(patternFor(table, Method::get, "/api/%5Flist") == "/api/_list");
  CHECK(patternFor(table, Method::get, "/api/_lis") == "notFound");
  CHECK(patternFor(table, Method::get, "/api/_list/x") == "notFound");
  CHECK(patternFor(table, Method::get, "/api") == "notFound");
}

TEST_CASE("several parameters are all captured") {
  RouteTable table;
  table.add(route(Method::get, "/{index}/_doc/{id}"));
  const auto lookup = table.find(Method::get, "/logs/_doc/7");
  REQUIRE(kindName(lookup.kind) == "found");
  CHECK(lookup.params.size() == 2);
  CHECK(lookup.params.at("index") == "logs");
  CHECK(lookup.params.at("id") == "7");
}

TEST_CASE("the root pattern matches only the root") {
  RouteTable table;
  table.add(route(Method::get, "/"));
  CHECK(patternFor(table, Method::get, "/") == "/");
  CHECK(patternFor(table, Method::get, "/x") == "notFound");
}

TEST_CASE("a literal beats a parameter at the first differing segment, in any registration order") {
  const std::vector<std::string> patterns = {"/api/reports/{id}", "/api/reports/_list", "/api/{kind}/_list"};
  for (int order = 0; order < 2; ++order) {
    CAPTURE(order);
    RouteTable table;
    if (order == 0) {
      for (const auto& p : patterns) table.add(route(Method::get, p));
    } else {
      for (auto it = patterns.rbegin(); it != patterns.rend(); ++it) table.add(route(Method::get, *it));
    }
    CHECK(patternFor(table, Method::get, "/api/reports/_list") == "/api/reports/_list");
    CHECK(patternFor(table, Method::get, "/api/reports/list") == "/api/reports/{id}");
    CHECK(patternFor(table, Method::get, "/api/reports/42") == "/api/reports/{id}");
    // For another kind only the "{kind}" route matches.
    CHECK(patternFor(table, Method::get, "/api/jobs/_list") == "/api/{kind}/_list");
    const auto lookup = table.find(Method::get, "/api/reports/42");
    CHECK(lookup.params.at("id") == "42");
    CHECK(lookup.params.count("kind") == 0);
  }
}

TEST_CASE("precedence is decided at the first differing segment, not by counting literals") {
  // "/a/{x}/c/d" has more literals, but "/a/b/{y}/{z}" has the literal first.
  for (int order = 0; order < 2; ++order) {
    CAPTURE(order);
    RouteTable table;
    if (order == 0) {
      table.add(route(Method::get, "/a/{x}/c/d"));
      table.add(route(Method::get, "/a/b/{y}/{z}"));
    } else {
      table.add(route(Method::get, "/a/b/{y}/{z}"));
      table.add(route(Method::get, "/a/{x}/c/d"));
    }
    CHECK(patternFor(table, Method::get, "/a/b/c/d") == "/a/b/{y}/{z}");
  }
}

TEST_CASE("HEAD falls back to the GET route, and prefers its own") {
  RouteTable table;
  table.add(route(Method::get, "/api/x"));
  CHECK(patternFor(table, Method::head, "/api/x") == "/api/x");
  CHECK(std::string(toString(table.find(Method::head, "/api/x").route->method)) == "GET");

  table.add(route(Method::head, "/api/x"));
  CHECK(std::string(toString(table.find(Method::head, "/api/x").route->method)) == "HEAD");
}

TEST_CASE("HEAD falls back to GET with literal precedence") {
  RouteTable table;
  table.add(route(Method::get, "/api/r/{id}"));
  table.add(route(Method::get, "/api/r/_list"));
  CHECK(patternFor(table, Method::head, "/api/r/_list") == "/api/r/_list");
}

TEST_CASE("GET does not fall back to HEAD, nor other methods to GET") {
  RouteTable table;
  table.add(route(Method::head, "/api/h"));
  table.add(route(Method::get, "/api/g"));
  CHECK(patternFor(table, Method::get, "/api/h") == "methodNotAllowed");
  CHECK(patternFor(table, Method::post, "/api/g") == "methodNotAllowed");
}

TEST_CASE("a path matched only under other methods is 405 listing them") {
  RouteTable table;
  table.add(route(Method::get, "/api/x/{id}"));
  table.add(route(Method::put, "/api/x/{id}"));
  table.add(route(Method::del, "/api/x/{other}/y"));
  const auto lookup = table.find(Method::post, "/api/x/1");
  CHECK(kindName(lookup.kind) == "methodNotAllowed");
  CHECK_FALSE(lookup.route);
  CHECK(lookup.allowed == std::vector<Method>{Method::get, Method::put});
  CHECK(kindName(table.find(Method::post, "/api/nothing").kind) == "notFound");
}

TEST_CASE("405 lists each method once even when several routes of it match") {
  RouteTable table;
  table.add(route(Method::get, "/api/{a}/z"));
  table.add(route(Method::get, "/api/y/{b}"));
  const auto lookup = table.find(Method::post, "/api/y/z");
  CHECK(kindName(lookup.kind) == "methodNotAllowed");
  CHECK(lookup.allowed == std::vector<Method>{Method::get});
}

TEST_CASE("conflicting shapes throw RouteError naming both owners") {
  RouteTable table;
  table.add(route(Method::get, "/api/reports/{id}", "reporting"));

  SUBCASE("same pattern") {
    const auto message = addError(table, route(Method::get, "/api/reports/{id}", "other"));
    CHECK(contains(message, "'reporting'"));
    CHECK(contains(message, "'other'"));
    CHECK(contains(message, "conflicts"));
  }
  SUBCASE("parameter with another name at the same place") {
    const auto message = addError(table, route(Method::get, "/api/reports/{reportId}", "other"));
    CHECK(contains(message, "'reporting'"));
    CHECK(contains(message, "'other'"));
    CHECK(contains(message, "/api/reports/{id}"));
    CHECK(contains(message, "/api/reports/{reportId}"));
  }
  SUBCASE("same owner conflicts too") {
    CHECK(contains(addError(table, route(Method::get, "/api/reports/{x}", "reporting")), "conflicts"));
  }
  CHECK(table.size() == 1);
}

TEST_CASE("routes of the same path under other methods or shapes do not conflict") {
  RouteTable table;
  table.add(route(Method::get, "/api/reports/{id}", "a"));
  CHECK_NOTHROW(table.add(route(Method::post, "/api/reports/{id}", "b")));
  CHECK_NOTHROW(table.add(route(Method::get, "/api/reports/_list", "c")));
  CHECK_NOTHROW(table.add(route(Method::get, "/api/reports/{id}/x", "d")));
  CHECK_NOTHROW(table.add(route(Method::get, "/api/{kind}/{id}", "e")));
  CHECK(table.size() == 5);
}

TEST_CASE("required prefixes are enforced") {
  RouteTable table({"/api", "/internal"});
  CHECK_NOTHROW(table.add(route(Method::get, "/api/x")));
  CHECK_NOTHROW(table.add(route(Method::get, "/internal/y/{id}")));
  CHECK_NOTHROW(table.add(route(Method::get, "/api")));

  const auto outside = addError(table, route(Method::get, "/es/x", "rogue"));
  CHECK(contains(outside, "'/es/x'"));
  CHECK(contains(outside, "'rogue'"));
  CHECK(contains(outside, "/api, /internal"));
  // A prefix is a whole segment: "/apix" is not under "/api".
  CHECK(contains(addError(table, route(Method::get, "/apix/y")), "must be under"));
  CHECK(contains(addError(table, route(Method::get, "/{x}/y")), "must be under"));
  CHECK(contains(addError(table, route(Method::get, "/")), "must be under"));
  CHECK(table.size() == 3);
}

TEST_CASE("\"/\" among the prefixes allows the root page only") {
  RouteTable table({"/", "/api"});
  CHECK_NOTHROW(table.add(route(Method::get, "/")));
  CHECK_NOTHROW(table.add(route(Method::get, "/api/x")));
  const auto outside = addError(table, route(Method::get, "/other"));
  CHECK(contains(outside, "must be under one of /api"));
  CHECK(table.size() == 2);
}

TEST_CASE("seal() drops the routes of owners not kept and refuses later additions") {
  RouteTable table;
  table.add(route(Method::get, "/api/a", "kept"));
  table.add(route(Method::get, "/api/b", "failed"));
  table.add(route(Method::post, "/api/c", "failed"));

  const auto dropped = table.seal([](const std::string& owner) { return owner == "kept"; });
  REQUIRE(dropped.size() == 2);
  CHECK(contains(dropped[0], "/api/b"));
  CHECK(contains(dropped[0], "'failed'"));
  CHECK(contains(dropped[1], "POST /api/c"));
  CHECK(table.size() == 1);
  CHECK(patternFor(table, Method::get, "/api/a") == "/api/a");
  CHECK(patternFor(table, Method::get, "/api/b") == "notFound");
  CHECK(patternFor(table, Method::post, "/api/c") == "notFound");

  const auto late = addError(table, route(Method::get, "/api/late", "kept"));
  CHECK(contains(late, "after setup"));
  CHECK(table.size() == 1);
}

TEST_CASE("withdraw() removes a failed owner's routes and frees their paths, until the table is sealed") {
  RouteTable table;
  table.add(route(Method::get, "/api/a", "kept"));
  table.add(route(Method::get, "/api/b", "failed"));
  table.add(route(Method::post, "/api/b", "failed"));

  CHECK(table.withdraw("failed") == 2);
  CHECK(table.withdraw("failed") == 0);
  CHECK(table.size() == 1);
  CHECK(patternFor(table, Method::get, "/api/b") == "notFound");
  table.add(route(Method::get, "/api/b", "other"));  // no conflict with the withdrawn one
  CHECK(patternFor(table, Method::get, "/api/b") == "/api/b");

  // A sealed table is read without a lock: it keeps its routes.
  table.seal([](const std::string&) { return true; });
  CHECK(table.withdraw("other") == 0);
  CHECK(table.size() == 2);
}

TEST_CASE("the found route carries its handler, options and owner") {
  RouteTable table;
  auto r = route(Method::post, "/api/upload", "uploads");
  r.options.maxBodyBytes = 123;
  r.options.auth = orrery::http::Auth::optional;
  table.add(std::move(r));
  const auto lookup = table.find(Method::post, "/api/upload");
  REQUIRE(lookup.route);
  CHECK(lookup.route->owner == "uploads");
  CHECK(lookup.route->options.maxBodyBytes == 123);
  CHECK(lookup.route->options.auth == orrery::http::Auth::optional);
  CHECK(static_cast<bool>(lookup.route->handler));
}
