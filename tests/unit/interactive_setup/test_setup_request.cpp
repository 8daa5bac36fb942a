#include <doctest/doctest.h>

#include "setup_request.hpp"

using namespace orrery::interactive_setup;
using Json = nlohmann::json;

namespace {
// The field a parse fails on, or "" when it does not fail.
template <class Parse>
std::string failingField(Parse parse) {
  try {
    parse();
  } catch (const SetupError& e) {
    CHECK(e.status() == 400);
    CHECK(std::string(e.what()).size() > 5);
    return e.field();
  }
  return "";
}
}  // namespace

TEST_CASE("bodies must be JSON objects") {
  CHECK_THROWS_AS(parseBody(""), SetupError);
  CHECK_THROWS_AS(parseBody("{"), SetupError);
  CHECK_THROWS_AS(parseBody("[1]"), SetupError);
  CHECK(parseBody(R"({"code":"123456"})")["code"] == "123456");
}

TEST_CASE("the code is six digits") {
  CHECK(parseCode(Json{{"code", "012345"}}) == "012345");
  CHECK(failingField([] { parseCode(Json{{"code", "12345a"}}); }) == "code");
  CHECK(failingField([] { parseCode(Json{{"code", 123456}}); }) == "request.code");
  CHECK(failingField([] { parseCode(Json::object()); }) == "request.code");
}

TEST_CASE("an embedded connection needs a folder") {
  const auto c = parseConnection(Json{{"type", "embedded"}, {"path", "data/indices"}});
  REQUIRE(c.embedded);
  CHECK(c.embedded->path == "data/indices");
  CHECK(failingField([] { parseConnection(Json{{"type", "embedded"}}); }) == "connection.path");
  CHECK(failingField([] { parseConnection(Json{{"type", "embedded"}, {"path", "x"}, {"url", "y"}}); }) ==
        "connection.url");
  CHECK(failingField([] { parseConnection(Json{{"type", "cloud"}}); }) == "connection.type");
  CHECK(failingField([] { parseConnection(Json("embedded")); }) == "connection");
}

TEST_CASE("a remote connection: URL forms and credentials") {
  const auto c = parseConnection(Json{{"type", "remote"}, {"url", "https://es:9200/"}, {"apiKey", "abc=="}});
  REQUIRE(c.remote);
  CHECK(c.remote->url == "https://es:9200");
  CHECK(c.remote->apiKey == "abc==");
  const auto field = [](Json body) {
    body["type"] = "remote";
    return failingField([&body] { parseConnection(body); });
  };
  CHECK(field({{"url", "ftp://es"}}) == "connection.url");
  CHECK(field({{"url", "https://"}}) == "connection.url");
  CHECK(field({{"url", "https://user:pw@es:9200"}}) == "connection.url");
  CHECK(field({{"url", "https://es:9200/es?x=1"}}) == "connection.url");
  CHECK(field({{"url", "https://es:9200/#top"}}) == "connection.url");
  CHECK(parseConnection(Json{{"type", "remote"}, {"url", "http://proxy/search/"}}).remote->url == "http://proxy/search");
  CHECK(field(Json::object()) == "connection.url");
  CHECK(field({{"url", "http://es"}, {"username", "u"}}) == "connection.password");
  CHECK(field({{"url", "http://es"}, {"password", "p"}}) == "connection.username");
  CHECK(field({{"url", "http://es"}, {"username", "u"}, {"password", "p"}, {"apiKey", "k"}}) == "connection.apiKey");
  CHECK(field({{"url", "http://es"}, {"certificateAuthority", "/ca.pem"}}) == "connection.certificateAuthority");
  CHECK(field({{"url", "http://es"}, {"password", 5}}) == "connection.password");
}

TEST_CASE("the admin: a valid username and a strong password") {
  const auto admin = parseAdmin(Json{{"username", "root.admin"}, {"password", "Tr1cky-enough"}});
  CHECK(admin.username == "root.admin");
  CHECK(failingField([] { parseAdmin(Json{{"username", "bad name"}, {"password", "Tr1cky-enough"}}); }) ==
        "admin.username");
  CHECK(failingField([] { parseAdmin(Json{{"username", "admin"}, {"password", "weak"}}); }) == "admin.password");
  CHECK(failingField([] { parseAdmin(Json{{"username", "admin"}}); }) == "admin.password");
  CHECK(failingField([] { parseAdmin(Json{{"username", "admin"}, {"password", "Tr1cky-enough"}, {"roles", 1}}); }) ==
        "admin.roles");
}
