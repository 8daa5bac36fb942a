// requestIdFor: a sane client id is echoed, anything else replaced by a fresh UUID v4.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "core/http/request_id.hpp"

using orrery::server::requestIdFor;

namespace {

// The canonical 8-4-4-4-12 lowercase form of a random (version 4, RFC 4122 variant) UUID.
bool isUuidV4(const std::string& id) {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  const char variant = id[19];
  return id[14] == '4' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

void checkReplaced(std::optional<std::string_view> client) {
  const auto id = requestIdFor(client);
  CHECK_MESSAGE(isUuidV4(id), "got '" << id << "'");
  if (client) CHECK(id != std::string(*client));
}

}  // namespace

TEST_CASE("a valid client id is echoed unchanged") {
  CHECK(requestIdFor(std::string_view("abc-123")) == "abc-123");
  CHECK(requestIdFor(std::string_view("A.b_c:d-9")) == "A.b_c:d-9");
  CHECK(requestIdFor(std::string_view("x")) == "x");
  const std::string longest(128, 'a');
  CHECK(requestIdFor(std::string_view(longest)) == longest);
  const std::string uuid = "123e4567-e89b-42d3-a456-426614174000";
  CHECK(requestIdFor(std::string_view(uuid)) == uuid);
}

TEST_CASE("no client id gives a fresh UUID v4") { checkReplaced(std::nullopt); }

TEST_CASE("an invalid client id is replaced by a fresh UUID v4") {
  SUBCASE("empty") { checkReplaced(std::string_view("")); }
  SUBCASE("too long") {
    const std::string tooLong(129, 'a');
    checkReplaced(std::string_view(tooLong));
  }
  SUBCASE("spaces") { checkReplaced(std::string_view("abc def")); }
  SUBCASE("newline injection") { checkReplaced(std::string_view("abc\nX-Evil: 1")); }
  SUBCASE("CRLF injection") { checkReplaced(std::string_view("abc\r\nSet-Cookie: a=b")); }
  SUBCASE("other punctuation") {
    checkReplaced(std::string_view("a/b"));
    checkReplaced(std::string_view("a\"b"));
    checkReplaced(std::string_view("a;b"));
  }
  SUBCASE("non-ASCII") { checkReplaced(std::string_view("caf\xC3\xA9")); }
  SUBCASE("embedded NUL") { checkReplaced(std::string_view("ab\0cd", 5)); }
}

TEST_CASE("two generated ids differ") {
  const auto first = requestIdFor(std::nullopt);
  const auto second = requestIdFor(std::nullopt);
  CHECK(isUuidV4(first));
  CHECK(isUuidV4(second));
  CHECK(first != second);
}
