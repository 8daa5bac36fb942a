// The header-only HTTP part of the SDK: Headers, JSON string escaping, the two error body
// shapes, Request's query helpers and the JSON body helpers' field-naming errors.
#include <doctest/doctest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "orrery/http.hpp"
#include "orrery/http/json_body.hpp"

using orrery::http::elasticsearchError;
using orrery::http::Headers;
using orrery::http::HttpError;
using orrery::http::JsonFields;
using orrery::http::jsonString;
using orrery::http::kibanaError;
using orrery::http::Request;
using orrery::http::Response;

namespace {

// The HttpError `action` throws; fails the test when it throws nothing.
template <class Action>
HttpError errorOf(Action action) {
  try {
    action();
  } catch (const HttpError& error) {
    return error;
  }
  FAIL("no HttpError thrown");
  return HttpError(0, "");
}

std::string str(std::optional<std::string_view> value) {
  return value ? std::string(*value) : std::string("<absent>");
}

Request withQuery(std::vector<std::pair<std::string, std::string>> query) {
  Request request;
  request.query = std::move(query);
  return request;
}

void checkBadRequest(const HttpError& error, const std::string& message) {
  CHECK(error.status() == 400);
  CHECK(std::string(error.type()) == "illegal_argument_exception");
  CHECK(std::string(error.what()) == message);
}

}  // namespace

// ---- Headers ---------------------------------------------------------------------------

TEST_CASE("Headers: names are case-insensitive") {
  Headers headers;
  headers.add("Content-Type", "text/plain");
  CHECK(str(headers.get("content-type")) == "text/plain");
  CHECK(str(headers.get("CONTENT-TYPE")) == "text/plain");
  CHECK(headers.has("cOnTeNt-TyPe"));
  CHECK_FALSE(headers.has("Content-Typ"));
  CHECK_FALSE(headers.has("Content-Type2"));
  CHECK(str(headers.get("Accept")) == "<absent>");
  // Only ASCII letters fold: '[' (0x5B) is not '{' (0x7B) in lowercase.
  CHECK_FALSE(orrery::http::equalsIgnoreCase("a[", "a{"));
}

TEST_CASE("Headers: add keeps every value in order, get returns the first") {
  Headers headers;
  headers.add("WWW-Authenticate", "Basic");
  headers.add("www-authenticate", "ApiKey");
  headers.add("X-Other", "1");
  CHECK(str(headers.get("WWW-Authenticate")) == "Basic");
  REQUIRE(headers.all().size() == 3);
  CHECK(headers.all()[0] == Headers::Field{"WWW-Authenticate", "Basic"});
  CHECK(headers.all()[1] == Headers::Field{"www-authenticate", "ApiKey"});
  CHECK(headers.all()[2] == Headers::Field{"X-Other", "1"});
}

TEST_CASE("Headers: set replaces every field of that name, whatever its case") {
  Headers headers;
  headers.add("X-A", "1");
  headers.add("x-a", "2");
  headers.add("X-B", "keep");
  headers.set("X-a", "3");
  REQUIRE(headers.all().size() == 2);
  CHECK(headers.all()[0] == Headers::Field{"X-B", "keep"});
  CHECK(headers.all()[1] == Headers::Field{"X-a", "3"});
  CHECK(str(headers.get("x-A")) == "3");
}

TEST_CASE("Headers: remove drops every field of that name, whatever its case") {
  Headers headers;
  headers.add("Set-Cookie", "a=1");
  headers.add("Other", "x");
  headers.add("set-cookie", "b=2");
  headers.remove("SET-COOKIE");
  REQUIRE(headers.all().size() == 1);
  CHECK(headers.all()[0].first == "Other");
  headers.remove("absent");
  CHECK(headers.all().size() == 1);
}

// ---- JSON strings ----------------------------------------------------------------------

TEST_CASE("jsonString quotes and escapes") {
  CHECK(jsonString("") == R"("")");
  CHECK(jsonString("plain text") == R"("plain text")");
  CHECK(jsonString("say \"hi\"") == R"("say \"hi\"")");
  CHECK(jsonString("back\\slash") == R"("back\\slash")");
  CHECK(jsonString("a/b") == R"("a/b")");
  CHECK(jsonString("line\nnext\rcr\ttab") == R"("line\nnext\rcr\ttab")");
}

TEST_CASE("jsonString escapes every other control character as \\u00XX") {
  CHECK(jsonString(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(jsonString("\x01") == R"("\u0001")");
  CHECK(jsonString("\b\f") == R"("\u0008\u000c")");
  CHECK(jsonString("\x1b[31m") == R"("\u001b[31m")");
  CHECK(jsonString("\x1f") == R"("\u001f")");
  CHECK(jsonString("\x7f") == "\"\x7f\"");  // DEL needs no escape in JSON
  for (int c = 0; c < 0x20; ++c) {
    const std::string text(1, static_cast<char>(c));
    const auto parsed = nlohmann::json::parse(jsonString(text), nullptr, false);
    CAPTURE(c);
    REQUIRE_FALSE(parsed.is_discarded());
    CHECK(parsed.get<std::string>() == text);
  }
}

TEST_CASE("jsonString keeps valid UTF-8") {
  CHECK(jsonString("caf\xC3\xA9") == "\"caf\xC3\xA9\"");                 // 2 bytes
  CHECK(jsonString("\xE2\x82\xAC") == "\"\xE2\x82\xAC\"");               // 3 bytes (euro)
  CHECK(jsonString("\xF0\x9F\x98\x80") == "\"\xF0\x9F\x98\x80\"");       // 4 bytes
  CHECK(jsonString("\xF4\x8F\xBF\xBF") == "\"\xF4\x8F\xBF\xBF\"");       // U+10FFFF
  CHECK(jsonString("\xEF\xBF\xBD") == "\"\xEF\xBF\xBD\"");               // U+FFFD itself
}

TEST_CASE("jsonString replaces invalid UTF-8 by \\ufffd, byte by byte") {
  CHECK(jsonString("a\x80z") == R"("a\ufffdz")");                       // lone continuation
  CHECK(jsonString("\xFF") == R"("\ufffd")");                            // never valid
  CHECK(jsonString("\xC3(") == R"("\ufffd(")");                          // missing continuation
  CHECK(jsonString("\xC0\x80") == R"("\ufffd\ufffd")");                  // overlong NUL
  CHECK(jsonString("\xE0\x80\xAF") == R"("\ufffd\ufffd\ufffd")");        // overlong '/'
  CHECK(jsonString("\xED\xA0\x80") == R"("\ufffd\ufffd\ufffd")");        // UTF-16 surrogate
  CHECK(jsonString("\xF4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
  CHECK(jsonString("\xF5\x80") == R"("\ufffd\ufffd")");
  CHECK(jsonString("end\xE2\x82") == R"("end\ufffd\ufffd")");           // truncated at the end
  CHECK(jsonString("\xF0\x9F\x98") == R"("\ufffd\ufffd\ufffd")");
  // The result is always valid JSON.
  const auto parsed = nlohmann::json::parse(jsonString("x\xC3\xA9\xFFy\"\x01"), nullptr, false);
  REQUIRE_FALSE(parsed.is_discarded());
  CHECK(parsed.get<std::string>() == "x\xC3\xA9\xEF\xBF\xBDy\"\x01");
}

TEST_CASE("appendJsonString appends") {
  std::string out = "prefix:";
  orrery::http::appendJsonString(out, "v");
  CHECK(out == R"(prefix:"v")");
}

// ---- Error bodies ----------------------------------------------------------------------

TEST_CASE("kibanaError has exactly statusCode, error and message") {
  const auto response = kibanaError(404, "saved object [x] \"y\" not found");
  CHECK(response.status == 404);
  CHECK(str(response.headers.get("Content-Type")) == "application/json; charset=utf-8");
  CHECK(response.body == R"({"statusCode":404,"error":"Not Found","message":"saved object [x] \"y\" not found"})");
  CHECK(kibanaError(599, "odd").body == R"({"statusCode":599,"error":"Unknown","message":"odd"})");
  CHECK(kibanaError(400, "bad \xFF").body == R"({"statusCode":400,"error":"Bad Request","message":"bad \ufffd"})");
}

TEST_CASE("elasticsearchError has root_cause, type, reason and status") {
  const auto response = elasticsearchError(404, "index_not_found_exception", "no such index [logs]");
  CHECK(response.status == 404);
  CHECK(str(response.headers.get("Content-Type")) == "application/json; charset=utf-8");
  CHECK(response.body ==
        R"({"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [logs]"}],)"
        R"("type":"index_not_found_exception","reason":"no such index [logs]"},"status":404})");
  const auto escaped = elasticsearchError(400, "t", "a\"b\n");
  CHECK(escaped.body == R"({"error":{"root_cause":[{"type":"t","reason":"a\"b\n"}],"type":"t","reason":"a\"b\n"},"status":400})");
  CHECK_FALSE(nlohmann::json::parse(escaped.body, nullptr, false).is_discarded());
}

TEST_CASE("defaultErrorType and HttpError's type") {
  CHECK(std::string(orrery::http::defaultErrorType(400)) == "illegal_argument_exception");
  CHECK(std::string(orrery::http::defaultErrorType(401)) == "security_exception");
  CHECK(std::string(orrery::http::defaultErrorType(403)) == "security_exception");
  CHECK(std::string(orrery::http::defaultErrorType(404)) == "resource_not_found_exception");
  CHECK(std::string(orrery::http::defaultErrorType(409)) == "version_conflict_engine_exception");
  CHECK(std::string(orrery::http::defaultErrorType(503)) == "status_exception");
  CHECK(std::string(orrery::http::defaultErrorType(502)) == "exception");
  CHECK(std::string(orrery::http::defaultErrorType(418)) == "illegal_argument_exception");

  const HttpError plain(404, "missing");
  CHECK(plain.status() == 404);
  CHECK(std::string(plain.what()) == "missing");
  CHECK(std::string(plain.type()) == "resource_not_found_exception");
  const HttpError typed(404, "missing", "index_not_found_exception");
  CHECK(std::string(typed.type()) == "index_not_found_exception");
}

TEST_CASE("badField names the field in brackets") {
  checkBadRequest(orrery::http::badField("request body.name", "is wrong"), "[request body.name]: is wrong");
}

TEST_CASE("Response factories set the content type or location") {
  CHECK(str(Response::json(200, "{}").headers.get("content-type")) == "application/json; charset=utf-8");
  CHECK(str(Response::text(200, "x").headers.get("content-type")) == "text/plain; charset=utf-8");
  CHECK(str(Response::html(200, "x").headers.get("content-type")) == "text/html; charset=utf-8");
  const auto redirect = Response::redirect("/next");
  CHECK(redirect.status == 302);
  CHECK(str(redirect.headers.get("Location")) == "/next");
  CHECK(redirect.body.empty());
  CHECK(Response::redirect("/x", 307).status == 307);
}

// ---- Request ---------------------------------------------------------------------------

TEST_CASE("Request::header and queryParam") {
  Request request;
  request.headers.add("X-Opaque-Id", "abc");
  request.query = {{"a", "1"}, {"a", "2"}, {"A", "3"}};
  CHECK(str(request.header("x-opaque-id")) == "abc");
  CHECK(str(request.queryParam("a")) == "1");  // the first value
  CHECK(str(request.queryParam("A")) == "3");  // query names are case-sensitive
  CHECK(str(request.queryParam("b")) == "<absent>");
}

TEST_CASE("Request::param, and a missing one is a 500") {
  Request request;
  request.params = {{"id", "a/b"}};
  CHECK(request.param("id") == "a/b");
  const auto error = errorOf([&] { (void)request.param("name"); });
  CHECK(error.status() == 500);
  CHECK(std::string(error.what()).find("'name'") != std::string::npos);
}

TEST_CASE("Request::queryInteger") {
  SUBCASE("absent: the fallback") { CHECK(withQuery({}).queryInteger("size", 10) == 10); }
  SUBCASE("a valid integer") {
    CHECK(withQuery({{"size", "25"}}).queryInteger("size", 10) == 25);
    CHECK(withQuery({{"size", "-3"}}).queryInteger("size", 10) == -3);
    CHECK(withQuery({{"size", "100"}}).queryInteger("size", 10, 1, 100) == 100);
    CHECK(withQuery({{"size", "1"}}).queryInteger("size", 10, 1, 100) == 1);
  }
  SUBCASE("not an integer: 400 naming [request query.size]") {
    for (const std::string text : {"abc", "", "5x", "1.5", " 5", "0x10", "99999999999999999999"}) {
      CAPTURE(text);
      const auto request = withQuery({{"size", text}});
      checkBadRequest(errorOf([&] { (void)request.queryInteger("size", 10); }),
                      "[request query.size]: expected an integer, got '" + text + "'");
    }
  }
  SUBCASE("out of range: 400 naming the range") {
    const auto request = withQuery({{"size", "101"}});
    checkBadRequest(errorOf([&] { (void)request.queryInteger("size", 10, 1, 100); }),
                    "[request query.size]: expected an integer between 1 and 100, got '101'");
    const auto low = withQuery({{"size", "0"}});
    checkBadRequest(errorOf([&] { (void)low.queryInteger("size", 10, 1, 100); }),
                    "[request query.size]: expected an integer between 1 and 100, got '0'");
  }
}

TEST_CASE("Request::queryBool") {
  CHECK(withQuery({}).queryBool("pretty", false) == false);
  CHECK(withQuery({}).queryBool("pretty", true) == true);
  CHECK(withQuery({{"pretty", ""}}).queryBool("pretty", false) == true);
  CHECK(withQuery({{"pretty", "true"}}).queryBool("pretty", false) == true);
  CHECK(withQuery({{"pretty", "false"}}).queryBool("pretty", true) == false);
  for (const std::string text : {"yes", "1", "TRUE", "False", "no"}) {
    CAPTURE(text);
    const auto request = withQuery({{"pretty", text}});
    checkBadRequest(errorOf([&] { (void)request.queryBool("pretty", false); }),
                    "[request query.pretty]: expected true or false, got '" + text + "'");
  }
}

TEST_CASE("User::anonymous") {
  const auto anonymous = orrery::http::User::anonymous();
  CHECK(anonymous.isAnonymous());
  CHECK(anonymous.username == "anonymous");
  const orrery::http::User alice{"alice", "", {}, "basic", ""};
  CHECK_FALSE(alice.isAnonymous());
}

// ---- JSON bodies -----------------------------------------------------------------------

TEST_CASE("parseJsonBody") {
  Request request;
  SUBCASE("empty body") {
    checkBadRequest(errorOf([&] { (void)orrery::http::parseJsonBody(request); }),
                    "[request body]: expected a JSON body");
  }
  SUBCASE("not JSON") {
    request.body = "{nope";
    checkBadRequest(errorOf([&] { (void)orrery::http::parseJsonBody(request); }), "[request body]: is not valid JSON");
  }
  SUBCASE("not an object") {
    request.body = "[1,2]";
    checkBadRequest(errorOf([&] { (void)orrery::http::parseJsonBody(request); }),
                    "[request body]: expected value of type [object] but got [array]");
    CHECK(orrery::http::parseJsonBody(request, false).is_array());
  }
  SUBCASE("an object") {
    request.body = R"({"a":1})";
    CHECK(orrery::http::parseJsonBody(request)["a"] == 1);
  }
  SUBCASE("nested past the limit: refused naming it, at the default and at a given one") {
    request.body = std::string(1000, '[') + std::string(1000, ']');
    CHECK(orrery::http::parseJsonBody(request, false).is_array());
    request.body = std::string(1001, '[') + std::string(1001, ']');
    checkBadRequest(errorOf([&] { (void)orrery::http::parseJsonBody(request, false); }),
                    "[request body]: nesting depth (1001) exceeds the maximum allowed (1000)");
    request.body = R"({"a":{"b":{}}})";
    CHECK(orrery::http::parseJsonBody(request, true, 3).is_object());
    checkBadRequest(errorOf([&] { (void)orrery::http::parseJsonBody(request, true, 2); }),
                    "[request body]: nesting depth (3) exceeds the maximum allowed (2)");
  }
}

TEST_CASE("JsonFields: required and optional strings") {
  const auto body = nlohmann::json::parse(R"({"name":"x","count":3,"nothing":null})");
  JsonFields fields(body);
  CHECK(fields.requiredString("name") == "x");
  checkBadRequest(errorOf([&] { (void)fields.requiredString("missing"); }),
                  "[request body.missing]: expected a value but got [undefined]");
  checkBadRequest(errorOf([&] { (void)fields.requiredString("nothing"); }),
                  "[request body.nothing]: expected a value but got [undefined]");
  checkBadRequest(errorOf([&] { (void)fields.requiredString("count"); }),
                  "[request body.count]: expected value of type [string] but got [number]");
  CHECK_FALSE(fields.optionalString("missing").has_value());
  CHECK_FALSE(fields.optionalString("nothing").has_value());
  CHECK(fields.optionalString("name").value_or("") == "x");
  checkBadRequest(errorOf([&] { (void)fields.optionalString("count"); }),
                  "[request body.count]: expected value of type [string] but got [number]");
}

TEST_CASE("JsonFields: integers with bounds") {
  const auto body = nlohmann::json::parse(R"({"size":50,"big":500,"frac":1.5,"text":"5"})");
  JsonFields fields(body);
  CHECK(fields.integer("size", 10, 1, 100) == 50);
  CHECK(fields.integer("absent", 10, 1, 100) == 10);
  checkBadRequest(errorOf([&] { (void)fields.integer("big", 10, 1, 100); }),
                  "[request body.big]: expected an integer between 1 and 100 but got [500]");
  checkBadRequest(errorOf([&] { (void)fields.integer("frac", 10); }),
                  "[request body.frac]: expected value of type [integer] but got [number]");
  checkBadRequest(errorOf([&] { (void)fields.integer("text", 10); }),
                  "[request body.text]: expected value of type [integer] but got [string]");
}

TEST_CASE("JsonFields: booleans, string lists and objects") {
  const auto body =
      nlohmann::json::parse(R"({"flag":true,"notFlag":"true","tags":["a","b"],"badTags":["a",2],"meta":{"k":1},"arr":[]})");
  JsonFields fields(body);
  CHECK(fields.boolean("flag", false));
  CHECK_FALSE(fields.boolean("absent", false));
  checkBadRequest(errorOf([&] { (void)fields.boolean("notFlag", false); }),
                  "[request body.notFlag]: expected value of type [boolean] but got [string]");
  CHECK(fields.stringList("tags") == std::vector<std::string>{"a", "b"});
  CHECK(fields.stringList("absent2").empty());
  checkBadRequest(errorOf([&] { (void)fields.stringList("badTags"); }),
                  "[request body.badTags.1]: expected value of type [string] but got [number]");
  checkBadRequest(errorOf([&] { (void)fields.stringList("flag"); }),
                  "[request body.flag]: expected value of type [array] but got [boolean]");
  REQUIRE(fields.optionalObject("meta") != nullptr);
  CHECK(fields.optionalObject("absent3") == nullptr);
  checkBadRequest(errorOf([&] { (void)fields.optionalObject("arr"); }),
                  "[request body.arr]: expected value of type [object] but got [array]");
}

TEST_CASE("JsonFields: nested objects name their full path") {
  const auto body = nlohmann::json::parse(R"({"meta":{"owner":7}})");
  JsonFields fields(body);
  const auto* meta = fields.optionalObject("meta");
  REQUIRE(meta != nullptr);
  JsonFields nested(*meta, fields.field("meta"));
  checkBadRequest(errorOf([&] { (void)nested.requiredString("owner"); }),
                  "[request body.meta.owner]: expected value of type [string] but got [number]");
}

TEST_CASE("JsonFields: other places name themselves") {
  const auto body = nlohmann::json::parse(R"({"x":1})");
  JsonFields fields(body, "request query");
  checkBadRequest(errorOf([&] { (void)fields.requiredString("x"); }),
                  "[request query.x]: expected value of type [string] but got [number]");
}

TEST_CASE("JsonFields::rejectUnknown") {
  const auto body = nlohmann::json::parse(R"({"name":"x","extra":1})");
  SUBCASE("a key nobody asked about") {
    JsonFields fields(body);
    (void)fields.requiredString("name");
    checkBadRequest(errorOf([&] { fields.rejectUnknown(); }), "[request body.extra]: definition for this key is missing");
  }
  SUBCASE("every key asked about, present or not") {
    JsonFields fields(body);
    (void)fields.requiredString("name");
    (void)fields.integer("extra", 0);
    (void)fields.optionalString("absent");
    CHECK_NOTHROW(fields.rejectUnknown());
  }
  SUBCASE("asking with a failed accessor still counts as asked") {
    JsonFields fields(body);
    (void)fields.requiredString("name");
    (void)errorOf([&] { (void)fields.requiredString("extra"); });
    CHECK_NOTHROW(fields.rejectUnknown());
  }
  SUBCASE("an empty object") {
    const auto empty = nlohmann::json::object();
    JsonFields fields(empty);
    CHECK_NOTHROW(fields.rejectUnknown());
  }
}

TEST_CASE("jsonResponse never throws on invalid UTF-8") {
  const nlohmann::json body = {{"text", "bad \xFF"}};
  const auto response = orrery::http::jsonResponse(201, body);
  CHECK(response.status == 201);
  CHECK(str(response.headers.get("Content-Type")) == "application/json; charset=utf-8");
  CHECK(response.body == "{\"text\":\"bad \xEF\xBF\xBD\"}");
}
