// Index names (engine/index_name): Elasticsearch's rules plus printable, valid UTF-8, and
// the message each refusal carries.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "errors.hpp"
#include "index_name.hpp"

using namespace orrery::data;

namespace {

std::string refusal(const std::string& name) {
  try {
    validateIndexName(name);
  } catch (const EngineError& e) {
    CHECK(e.status() == 400);
    CHECK(e.type() == "invalid_index_name_exception");
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("names Elasticsearch accepts are accepted") {
  for (const std::string& good : std::vector<std::string>{"logs", "logs-2024.01.02", ".hidden", "a..b", "a_b+c-d", "données", "日本語", "straße", "ωmega",
                                 std::string(255, 'a'), "x\xF0\x9F\x98\x80"}) {
    CAPTURE(good);
    CHECK_NOTHROW(validateIndexName(good));
  }
}

TEST_CASE("every class of bad name is refused with Elasticsearch's wording") {
  struct Case {
    std::string name;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"", "Invalid index name [], must not be empty"},
      {"Logs", "Invalid index name [Logs], must be lowercase"},
      // Beyond ASCII too, as Java's toLowerCase(Locale.ROOT): É, Ω, titlecase ǅ.
      {"donn\xC3\x89" "es", "Invalid index name [donn\xC3\x89" "es], must be lowercase"},
      {"\xCE\xA9mega", "must be lowercase"},
      {"x\xC7\x85", "must be lowercase"},
      {"_logs", "must not start with '_', '-', or '+'"},
      {"-logs", "must not start with '_', '-', or '+'"},
      {"+logs", "must not start with '_', '-', or '+'"},
      {".", "Invalid index name [.], must not be '.' or '..'"},
      {"..", "Invalid index name [..], must not be '.' or '..'"},
      {"a/b", "Invalid index name [a/b], must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]"},
      {"../logs", "must not contain the following characters"},
      {"a\\b", "must not contain the following characters"},
      {"a*b", "must not contain the following characters"},
      {"a?b", "must not contain the following characters"},
      {"a\"b", "must not contain the following characters"},
      {"a<b", "must not contain the following characters"},
      {"a>b", "must not contain the following characters"},
      {"a|b", "must not contain the following characters"},
      {"a b", "must not contain the following characters"},
      {"a,b", "must not contain the following characters"},
      {"a#b", "Invalid index name [a#b], must not contain '#'"},
      {"a:b", "Invalid index name [a:b], must not contain ':'"},
      {std::string(256, 'a'), "index name is too long, (256 > 255)"},
      // Bytes, not characters: 128 two-byte letters.
      {[] { std::string s; for (int i = 0; i < 128; ++i) s += "\xC3\xA9"; return s; }(), "index name is too long, (256 > 255)"},
      {std::string("logs\0", 5), "Invalid index name [logs\\x00], must not contain control characters"},
      {std::string("\0", 1), "Invalid index name [\\x00], must not contain control characters"},
      {"logs\x01", "must not contain control characters"},
      {"logs\n", "must not contain control characters"},
      {"logs\x1f", "must not contain control characters"},
      {"logs\x7f", "Invalid index name [logs\\x7f], must not contain control characters"},
      {"logs\xff", "Invalid index name [logs\\xff], must be valid UTF-8"},
      {"\xC3", "must be valid UTF-8"},                  // truncated sequence
      {"\xC0\xAF", "must be valid UTF-8"},              // overlong '/'
      {"\xED\xA0\x80", "must be valid UTF-8"},          // a surrogate
      {"\xF4\x90\x80\x80", "must be valid UTF-8"},      // past U+10FFFF
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto reason = refusal(c.name);
    CHECK(reason.find(c.reason) != std::string::npos);
    if (reason.empty()) FAIL("accepted");
  }
}

TEST_CASE("the error names the index printably, in the reason and the index field") {
  try {
    validateIndexName(std::string("a\0b\xff", 4));
    FAIL("accepted");
  } catch (const EngineError& e) {
    CHECK(e.extra()["index"] == "a\\x00b\\xff");
    CHECK(e.extra()["index_uuid"] == "_na_");
    CHECK(e.body().dump().find("a\\\\x00b\\\\xff") != std::string::npos);
  }
}

TEST_CASE("patterns follow the byte rules and allow only the star") {
  CHECK_NOTHROW(validateIndexPattern("logs-*"));
  CHECK_NOTHROW(validateIndexPattern(".*"));
  CHECK_NOTHROW(validateIndexPattern("*"));
  for (const std::string& bad : std::vector<std::string>{std::string("logs\0*", 6), "a/*", "*\x7f", "*\xff", "a?*", std::string(256, '*')}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(validateIndexPattern(bad), EngineError);
  }
}

TEST_CASE("printableName keeps UTF-8 and escapes the rest") {
  CHECK(printableName("données") == "données");
  CHECK(printableName(std::string("\0\x1f\x7f\xc3", 4)) == "\\x00\\x1f\\x7f\\xc3");
}
