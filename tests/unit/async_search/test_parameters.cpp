// What clients send: time values, ids, and the submit, get and status parameters with
// Elasticsearch's validation messages.
#include <doctest/doctest.h>

#include <set>

#include "async_id.hpp"
#include "parameters.hpp"
#include "time_value.hpp"

using namespace orrery::async_search;
using namespace std::chrono_literals;

namespace {

// The AsyncSearchError `work` throws, for its status, type and reason.
template <class Work>
AsyncSearchError thrown(Work work) {
  try {
    work();
  } catch (const AsyncSearchError& error) {
    return error;
  }
  FAIL("no AsyncSearchError was thrown");
  return AsyncSearchError(0, "", "");
}

}  // namespace

TEST_CASE("time values: every Elasticsearch unit, and errors naming the parameter and value") {
  CHECK(parseTimeValue("100ms", "t") == 100ms);
  CHECK(parseTimeValue("1s", "t") == 1s);
  CHECK(parseTimeValue("2m", "t") == 2min);
  CHECK(parseTimeValue("3h", "t") == 3h);
  CHECK(parseTimeValue("5d", "t") == std::chrono::hours(120));
  CHECK(parseTimeValue("2500micros", "t") == 2ms);
  CHECK(parseTimeValue("5000000nanos", "t") == 5ms);
  CHECK(parseTimeValue("0", "t") == 0ms);
  CHECK(parseTimeValue("-1", "t") == -1ms);
  const auto missing = thrown([] { parseTimeValue("10", "keep_alive"); });
  CHECK(missing.status() == 400);
  CHECK(missing.type() == "parse_exception");
  CHECK(std::string(missing.what()) ==
        "failed to parse setting [keep_alive] with value [10] as a time value: unit is missing or unrecognized");
  CHECK(thrown([] { parseTimeValue("1x", "t"); }).type() == "parse_exception");
  CHECK(thrown([] { parseTimeValue("-5s", "t"); }).type() == "parse_exception");
  CHECK(thrown([] { parseTimeValue("s", "t"); }).type() == "parse_exception");
  CHECK(std::string(thrown([] { parseTimeValue("99999999999999999d", "t"); }).what()).find("too large") != std::string::npos);
  CHECK(std::string(thrown([] { parseTimeValue("999999999999999999999ms", "t"); }).what()).find("too large") !=
        std::string::npos);
  CHECK(formatTimeValue(std::chrono::hours(120)) == "5d");
  CHECK(formatTimeValue(1500ms) == "1500ms");
  CHECK(formatTimeValue(90s) == "90s");
}

TEST_CASE("ids are 32 URL-safe characters, distinct, and malformed ones are told apart") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = newAsyncId();
    CHECK(id.size() == kAsyncIdLength);
    CHECK(wellFormedAsyncId(id));
    CHECK(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
  CHECK_FALSE(wellFormedAsyncId(""));
  CHECK_FALSE(wellFormedAsyncId("short"));
  CHECK_FALSE(wellFormedAsyncId(std::string(32, '=')));
  CHECK_FALSE(wellFormedAsyncId(std::string(31, 'a') + "/"));
  CHECK_FALSE(wellFormedAsyncId(std::string(33, 'a')));
}

TEST_CASE("submit parameters: Elasticsearch's defaults, and the search's own passed through") {
  const KeepAliveLimits limits;
  const auto request = parseSubmitParameters({{"q", "level:error"}, {"size", "3"}}, "", limits);
  CHECK(request.waitForCompletion == 1s);
  CHECK_FALSE(request.keepOnCompletion);
  CHECK(request.keepAlive == std::chrono::hours(120));
  CHECK(request.batchedReduceSize == 5);
  CHECK(request.parameters == QueryParameters{{"q", "level:error"}, {"size", "3"}});

  const auto set = parseSubmitParameters({{"wait_for_completion_timeout", "250ms"}, {"keep_on_completion", "true"},
                                          {"keep_alive", "2h"}, {"batched_reduce_size", "10"}, {"typed_keys", "true"},
                                          {"strategy", "held"}, {"pre_filter_shard_size", "1"}},
                                         "", limits);
  CHECK(set.waitForCompletion == 250ms);
  CHECK(set.keepOnCompletion);
  CHECK(set.keepAlive == 2h);
  CHECK(set.batchedReduceSize == 10);
  CHECK(set.strategy == "held");
  CHECK(set.parameters == QueryParameters{{"typed_keys", "true"}});
}

TEST_CASE("submit validation: Elasticsearch's messages, all failures in one error") {
  const KeepAliveLimits limits{.defaultKeepAlive = 5min, .maxKeepAlive = 1h};
  const auto check = [&limits](const QueryParameters& query, const std::string& body, const std::string& reason) {
    const auto error = thrown([&] { parseSubmitParameters(query, body, limits); });
    CHECK(error.status() == 400);
    CHECK(error.type() == "action_request_validation_exception");
    CHECK(std::string(error.what()) == reason);
  };
  check({{"scroll", "1m"}}, "", "Validation Failed: 1: [scroll] queries are not supported;");
  check({}, R"({"suggest":{"s":{"text":"x","term":{"field":"f"}}}})",
        "Validation Failed: 1: suggest-only queries are not supported;");
  check({{"keep_alive", "500ms"}}, "", "Validation Failed: 1: [keep_alive] must be greater or equals than 1 second, got:500ms;");
  check({{"keep_alive", "2h"}}, "",
        "Validation Failed: 1: [keep_alive] of [2h] is too large; the maximum is [1h] (async_search.maxKeepAlive);");
  check({{"pre_filter_shard_size", "5"}}, "",
        "Validation Failed: 1: [pre_filter_shard_size] cannot be changed for async search queries;");
  check({{"scroll", "1m"}, {"keep_alive", "0"}, {"pre_filter_shard_size", "2"}}, "",
        "Validation Failed: 1: [scroll] queries are not supported;2: [keep_alive] must be greater or equals than 1 second, "
        "got:0;3: [pre_filter_shard_size] cannot be changed for async search queries;");
  // A suggest beside a query is a search.
  CHECK_NOTHROW(parseSubmitParameters({}, R"({"query":{"match_all":{}},"suggest":{}})", limits));
  CHECK_NOTHROW(parseSubmitParameters({}, "not json, the strategy reports it", limits));

  CHECK(std::string(thrown([&] { parseSubmitParameters({{"batched_reduce_size", "1"}}, "", limits); }).what()) ==
        "batchedReduceSize must be >= 2");
  CHECK(thrown([&] { parseSubmitParameters({{"batched_reduce_size", "many"}}, "", limits); }).type() ==
        "illegal_argument_exception");
  CHECK(thrown([&] { parseSubmitParameters({{"keep_on_completion", "yes"}}, "", limits); }).type() ==
        "illegal_argument_exception");
  CHECK(thrown([&] { parseSubmitParameters({{"wait_for_completion_timeout", "soon"}}, "", limits); }).type() ==
        "parse_exception");
}

TEST_CASE("get and status parameters: no wait by default, keep_alive checked, unknown ones refused") {
  const KeepAliveLimits limits{.defaultKeepAlive = 5min, .maxKeepAlive = 1h};
  const auto none = parseGetParameters({}, limits);
  CHECK(none.waitForCompletion == 0ms);
  CHECK_FALSE(none.keepAlive);
  const auto set = parseGetParameters({{"wait_for_completion_timeout", "2s"}, {"keep_alive", "10m"}, {"typed_keys", "true"},
                                       {"pretty", ""}},
                                      limits);
  CHECK(set.waitForCompletion == 2s);
  CHECK(set.keepAlive == 10min);
  CHECK_FALSE(parseGetParameters({{"keep_alive", "-1"}}, limits).keepAlive);
  CHECK(thrown([&] { parseGetParameters({{"keep_alive", "2h"}}, limits); }).type() == "action_request_validation_exception");
  CHECK(std::string(thrown([&] { parseGetParameters({{"size", "1"}}, limits); }).what()) ==
        "request [_async_search] contains unrecognized parameter: [size]");
  CHECK(parseStatusParameters({{"keep_alive", "30m"}}, limits) == 30min);
  CHECK(thrown([&] { parseStatusParameters({{"keep_alive", "100ms"}}, limits); }).type() ==
        "action_request_validation_exception");
  CHECK(thrown([&] { parseStatusParameters({{"wait_for_completion_timeout", "1s"}}, limits); }).type() ==
        "illegal_argument_exception");
}
