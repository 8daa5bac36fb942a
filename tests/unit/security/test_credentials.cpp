// Reading the Authorization header.
#include <doctest/doctest.h>

#include "credentials.hpp"
#include "duration_text.hpp"
#include "sodium_helpers.hpp"

using namespace orrery::security;
using namespace std::chrono_literals;

TEST_CASE("Basic credentials: any scheme case, split at the first colon, padding optional") {
  auto credentials = parseAuthorization("basic " + base64Encode("alice:pa:ss word"));
  REQUIRE(std::holds_alternative<BasicCredentials>(credentials));
  CHECK(std::get<BasicCredentials>(credentials).username == "alice");
  CHECK(std::get<BasicCredentials>(credentials).password == "pa:ss word");

  auto unpadded = base64Encode("bob:x");  // "Ym9iOng=" without its "="
  unpadded.erase(unpadded.find('='));
  credentials = parseAuthorization("BASIC  " + unpadded + " ");
  REQUIRE(std::holds_alternative<BasicCredentials>(credentials));
  CHECK(std::get<BasicCredentials>(credentials).password == "x");
}

TEST_CASE("ApiKey credentials are base64(id:api_key)") {
  const auto credentials = parseAuthorization("ApiKey " + base64Encode("id1:secret"));
  REQUIRE(std::holds_alternative<ApiKeyCredentials>(credentials));
  CHECK(std::get<ApiKeyCredentials>(credentials).id == "id1");
  CHECK(std::get<ApiKeyCredentials>(credentials).secret == "secret");
}

TEST_CASE("no header or another scheme is no credentials; a broken Basic or ApiKey is malformed") {
  CHECK(std::holds_alternative<NoCredentials>(parseAuthorization(std::nullopt)));
  CHECK(std::holds_alternative<NoCredentials>(parseAuthorization("Bearer abc")));
  CHECK(std::holds_alternative<NoCredentials>(parseAuthorization("")));
  CHECK(std::holds_alternative<MalformedCredentials>(parseAuthorization("Basic !!!")));
  CHECK(std::holds_alternative<MalformedCredentials>(parseAuthorization("Basic")));
  CHECK(std::holds_alternative<MalformedCredentials>(parseAuthorization("Basic " + base64Encode("nocolon"))));
  CHECK(std::holds_alternative<MalformedCredentials>(parseAuthorization("Basic " + base64Encode(":pw"))));
  CHECK(std::holds_alternative<MalformedCredentials>(parseAuthorization("ApiKey " + base64Encode("id:"))));
  const auto malformed = std::get<MalformedCredentials>(parseAuthorization("Basic " + base64Encode("nocolon")));
  CHECK(malformed.problem.find("nocolon") == std::string::npos);  // never echoes what was sent
}

TEST_CASE("durations for API key expirations") {
  CHECK(parseDuration("7d") == std::chrono::milliseconds(7 * 24h));
  CHECK(parseDuration("12h") == std::chrono::milliseconds(12h));
  CHECK(parseDuration("30m") == std::chrono::milliseconds(30min));
  CHECK(parseDuration("60s") == std::chrono::milliseconds(60s));
  CHECK(parseDuration("500ms") == 500ms);
  for (const auto* bad : {"", "7", "d", "0d", "-1d", "1.5d", "7 d", "7days", "99999999999999999999d", "1000000000d"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseDuration(bad).has_value());
  }
}

TEST_CASE("base64 helpers round-trip and refuse garbage") {
  const std::string bytes("\x00\xff\x10 binary", 10);
  CHECK(base64Decode(base64Encode(bytes)) == bytes);
  CHECK(base64UrlEncode(std::string(15, '\xff')).size() == 20);
  CHECK(base64UrlEncode(std::string(15, '\xff')).find_first_of("+/=") == std::string::npos);
  CHECK_FALSE(base64Decode("a!==").has_value());
  CHECK(constantTimeEquals("abc", "abc"));
  CHECK_FALSE(constantTimeEquals("abc", "abd"));
  CHECK_FALSE(constantTimeEquals("abc", "abcd"));
}
