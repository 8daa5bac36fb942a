// percentDecode and parseTarget: %XX escapes, '+' only in queries, malformed escapes and
// encoded NUL refused, absolute-form targets reduced to their path, fragments dropped.
#include <doctest/doctest.h>

#include <string>

#include "core/http/percent_decoding.hpp"

using orrery::server::parseTarget;
using orrery::server::percentDecode;

namespace {

std::string decoded(std::string_view text, bool plusIsSpace = false) {
  auto result = percentDecode(text, plusIsSpace);
  REQUIRE_MESSAGE(result.has_value(), "'" << std::string(text) << "' was refused");
  return *result;
}

orrery::server::ParsedTarget parsed(std::string_view target) {
  std::string error;
  auto result = parseTarget(target, error);
  REQUIRE_MESSAGE(result.has_value(), "'" << std::string(target) << "' was refused: " << error);
  CHECK(error.empty());
  return *result;
}

std::string refusal(std::string_view target) {
  std::string error;
  auto result = parseTarget(target, error);
  CHECK_MESSAGE(!result.has_value(), "'" << std::string(target) << "' was accepted");
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("percentDecode decodes %XX escapes in either case") {
  CHECK(decoded("a%20b") == "a b");
  CHECK(decoded("%2F%2f") == "//");
  CHECK(decoded("%41%62c") == "Abc");
  CHECK(decoded("%C3%A9") == "\xC3\xA9");
  CHECK(decoded("plain") == "plain");
  CHECK(decoded("") == "");
  CHECK(decoded("%25") == "%");
  CHECK(decoded("%2541") == "%41");  // decoded once, not twice
}

TEST_CASE("percentDecode turns '+' into a space only when asked (queries)") {
  CHECK(decoded("a+b") == "a+b");
  CHECK(decoded("a+b", true) == "a b");
  CHECK(decoded("a%2Bb", true) == "a+b");
}

TEST_CASE("percentDecode refuses malformed escapes") {
  CHECK_FALSE(percentDecode("%").has_value());
  CHECK_FALSE(percentDecode("abc%").has_value());
  CHECK_FALSE(percentDecode("abc%4").has_value());
  CHECK_FALSE(percentDecode("%G1").has_value());
  CHECK_FALSE(percentDecode("%1G").has_value());
  CHECK_FALSE(percentDecode("%%41").has_value());
  CHECK_FALSE(percentDecode("% 1").has_value());
  CHECK_FALSE(percentDecode("a%4", true).has_value());
}

TEST_CASE("percentDecode refuses an encoded NUL byte") {
  CHECK_FALSE(percentDecode("%00").has_value());
  CHECK_FALSE(percentDecode("a%00b").has_value());
  CHECK_FALSE(percentDecode("a%00b", true).has_value());
  CHECK(decoded("%01") == std::string("\x01"));
}

TEST_CASE("parseTarget splits an origin-form target into decoded path and query") {
  const auto target = parsed("/api/a%20b/c?x=1&y=two+words&z=%26%3D");
  CHECK(target.rawPath == "/api/a%20b/c");
  CHECK(target.path == "/api/a b/c");
  REQUIRE(target.query.size() == 3);
  CHECK(target.query[0] == std::pair<std::string, std::string>{"x", "1"});
  CHECK(target.query[1] == std::pair<std::string, std::string>{"y", "two words"});
  CHECK(target.query[2] == std::pair<std::string, std::string>{"z", "&="});
}

TEST_CASE("parseTarget: '+' in the path stays a plus") {
  const auto target = parsed("/a+b?q=a+b");
  CHECK(target.path == "/a+b");
  REQUIRE(target.query.size() == 1);
  CHECK(target.query[0].second == "a b");
}

TEST_CASE("parseTarget keeps repeated and bare query names, skips empty pairs") {
  const auto target = parsed("/x?a=1&&a=2&flag&=v&e=");
  REQUIRE(target.query.size() == 5);
  CHECK(target.query[0] == std::pair<std::string, std::string>{"a", "1"});
  CHECK(target.query[1] == std::pair<std::string, std::string>{"a", "2"});
  CHECK(target.query[2] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(target.query[3] == std::pair<std::string, std::string>{"", "v"});
  CHECK(target.query[4] == std::pair<std::string, std::string>{"e", ""});
}

TEST_CASE("parseTarget reduces an absolute-form target to its path") {
  SUBCASE("http with a path and query") {
    const auto target = parsed("http://example.com:8080/api/status?v=1");
    CHECK(target.rawPath == "/api/status");
    CHECK(target.path == "/api/status");
    REQUIRE(target.query.size() == 1);
    CHECK(target.query[0].first == "v");
  }
  SUBCASE("https") {
    const auto target = parsed("https://example.com/es/_cat");
    CHECK(target.rawPath == "/es/_cat");
  }
  SUBCASE("no path at all is the root") {
    const auto target = parsed("http://example.com");
    CHECK(target.rawPath == "/");
    CHECK(target.path == "/");
  }
}

TEST_CASE("parseTarget drops the fragment") {
  SUBCASE("after the path") {
    const auto target = parsed("/api/x#section");
    CHECK(target.rawPath == "/api/x");
    CHECK(target.query.empty());
  }
  SUBCASE("after the query") {
    const auto target = parsed("/api/x?a=1#frag&b=2");
    CHECK(target.rawPath == "/api/x");
    REQUIRE(target.query.size() == 1);
    CHECK(target.query[0] == std::pair<std::string, std::string>{"a", "1"});
  }
}

TEST_CASE("parseTarget refuses a target that is not a path, with a message") {
  CHECK(refusal("").find("'/'") != std::string::npos);
  CHECK(refusal("api/status").find("'/'") != std::string::npos);
  CHECK(refusal("*").find("'/'") != std::string::npos);
  CHECK(refusal("example.com:443").find("'/'") != std::string::npos);
  CHECK(refusal("ftp://example.com/x").find("'/'") != std::string::npos);
}

TEST_CASE("parseTarget refuses malformed escapes in the path and in the query") {
  CHECK(refusal("/a%zz").find("percent-encoding") != std::string::npos);
  CHECK(refusal("/a%00b").find("percent-encoding") != std::string::npos);
  const auto query = refusal("/a?name=%4");
  CHECK(query.find("query") != std::string::npos);
  CHECK(query.find("name=%4") != std::string::npos);
  CHECK(refusal("/a?n%00=1").find("query") != std::string::npos);
}

TEST_CASE("absolute-form targets: any-case scheme, and a query right after the authority") {
  std::string error;
  auto upper = orrery::server::parseTarget("HTTP://Host/x/y?a=1", error);
  REQUIRE(upper);
  CHECK(upper->path == "/x/y");
  CHECK(upper->query.size() == 1);
  auto bare = orrery::server::parseTarget("http://host?x=1", error);
  REQUIRE(bare);
  CHECK(bare->path == "/");
  REQUIRE(bare->query.size() == 1);
  CHECK(bare->query[0].second == "1");
  CHECK(orrery::server::originForm("https://h") == "/");
  CHECK(orrery::server::originForm("/plain?q") == "/plain?q");
}
