// orrery/json_parse.hpp: JSON parsed with a bound on nesting, refused while parsing (a
// 1 MB body of `[[[[` never becomes a value that a recursive walk could overflow on), and
// what the bound relies on in Debian 12's nlohmann/json 3.11.2: its parser and its
// destructor do not recurse.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "orrery/json_parse.hpp"

namespace {

std::string nestedArrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string nestedObjects(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out.append(depth, '}');
  return out;
}

int depthOf(const std::string& text, int limit) {
  try {
    (void)orrery::parseJson(text, limit);
  } catch (const orrery::JsonTooDeep& error) {
    CHECK(error.limit() == limit);
    return error.depth();
  }
  return 0;
}

}  // namespace

TEST_CASE("parseJson: nesting at the limit is a value, one more is refused naming both") {
  CHECK(orrery::parseJson(nestedArrays(1000)).is_array());
  CHECK(orrery::parseJson(nestedObjects(1000)).is_object());
  CHECK(depthOf(nestedArrays(1001), orrery::kMaxJsonNestingDepth) == 1001);
  CHECK(depthOf(nestedObjects(1001), orrery::kMaxJsonNestingDepth) == 1001);
  CHECK(depthOf("[{\"a\":[1]}]", 3) == 0);
  CHECK(depthOf("[{\"a\":[[1]]}]", 3) == 4);
  try {
    (void)orrery::parseJson(nestedArrays(6), 5);
    FAIL("not refused");
  } catch (const orrery::JsonTooDeep& error) {
    CHECK(std::string(error.what()) == "nesting depth (6) exceeds the maximum allowed (5)");
  }
}

TEST_CASE("parseJson: what nlohmann::json::parse(text, nullptr, false) gives otherwise") {
  CHECK(orrery::parseJson("{nope").is_discarded());
  CHECK(orrery::parseJson("").is_discarded());
  CHECK(orrery::parseJson("[1] trailing").is_discarded());
  CHECK(orrery::parseJson("[[[").is_discarded());  // unterminated within the limit
  const auto value = orrery::parseJson(R"({"a":[1,2.5,"x",true,null,{"b":{}}]})");
  CHECK(value == nlohmann::json::parse(R"({"a":[1,2.5,"x",true,null,{"b":{}}]})"));
  CHECK(orrery::parseJson("42") == 42);
}

TEST_CASE("parseJson: a 1 MB body of [[[[ is refused at the limit, closed or not") {
  const std::string open(1024 * 1024, '[');
  CHECK(depthOf(open, orrery::kMaxJsonNestingDepth) == 1001);
  CHECK(depthOf(nestedArrays(512 * 1024), orrery::kMaxJsonNestingDepth) == 1001);
  CHECK(depthOf(std::string(1024 * 1024 / 5, ' ') + nestedObjects(150'000), 10) == 11);
}

TEST_CASE("nlohmann/json 3.11.2 parses and destroys a 1 MB deep value without recursion") {
  // What the bound leaves to the library: a deep value never built is never walked, but
  // the parser reaches the limit on its own heap stack, and a partial value is destroyed
  // when parsing stops. Both would overflow here if they recursed (dump() would).
  auto deep = nlohmann::json::parse(nestedArrays(512 * 1024));
  CHECK(deep.is_array());
  deep = nullptr;  // the iterative destructor
  CHECK(deep.is_null());
}
