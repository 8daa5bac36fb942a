// The answers' text (fields and their order as Elasticsearch 8), and who may see a search.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "owner.hpp"
#include "remote_answers.hpp"
#include "responses.hpp"
#include "search_record.hpp"
#include "typed_keys.hpp"

using namespace orrery::async_search;

TEST_CASE("a running search's answer: id, is_partial, is_running, times, the partial response; no completion time") {
  AsyncSearchResult result;
  result.id = "abc";
  result.isPartial = true;
  result.isRunning = true;
  result.startTimeMillis = 1000;
  result.expirationTimeMillis = 2000;
  result.completionTimeMillis = 1500;  // not shown while running
  result.response = R"({"took":5})";
  CHECK(asyncSearchBody(result) ==
        R"({"id":"abc","is_partial":true,"is_running":true,"start_time_in_millis":1000,"expiration_time_in_millis":2000,"response":{"took":5}})");
}

TEST_CASE("a finished, unstored answer has no id, a completion time, and the error when it failed") {
  AsyncSearchResult result;
  result.startTimeMillis = 1;
  result.expirationTimeMillis = 2;
  result.completionTimeMillis = 3;
  result.isPartial = true;
  result.error = R"({"type":"x","reason":"y"})";
  CHECK(asyncSearchBody(result) ==
        R"({"is_partial":true,"is_running":false,"start_time_in_millis":1,"expiration_time_in_millis":2,"completion_time_in_millis":3,"error":{"type":"x","reason":"y"}})");
}

TEST_CASE("status answers: is_running before is_partial, _shards always, completion_status once finished") {
  AsyncSearchResult result;
  result.id = "i";
  result.isRunning = true;
  result.isPartial = true;
  result.shards = {6, 2, 0, 0};
  CHECK(statusBody(result) ==
        R"({"id":"i","is_running":true,"is_partial":true,"start_time_in_millis":0,"expiration_time_in_millis":0,"_shards":{"total":6,"successful":2,"skipped":0,"failed":0}})");
  result.isRunning = false;
  result.isPartial = false;
  result.status = 200;
  result.completionTimeMillis = 9;
  const auto done = nlohmann::json::parse(statusBody(result));
  CHECK(done["completion_status"] == 200);
  CHECK(done["completion_time_in_millis"] == 9);
}

TEST_CASE("a stored record keeps everything an answer and a resumed search need") {
  SearchRecord record;
  record.id = "id1";
  record.owner = {"alice", "api_key", "k1"};
  record.index = "logs-*";
  record.strategy = "held";
  record.body = R"({"query":{"match_all":{}}})";
  record.parameters = {{"q", "x"}, {"size", "2"}};
  record.batchedReduceSize = 7;
  record.sessionId = "s";
  record.startTime = 10;
  record.expirationTime = 20;
  record.completionTime = 15;
  record.state = SearchState::completed;
  record.isPartial = false;
  record.status = 200;
  record.shards = {3, 3, 0, 0};
  record.response = R"({"hits":{"total":{"value":1,"relation":"eq"}}})";
  const auto back = recordFromDocument("id1", documentBody(record));
  CHECK(documentBody(back) == documentBody(record));
  CHECK(back.owner.apiKeyId == "k1");
  CHECK(back.parameters == record.parameters);
  CHECK_THROWS_AS(recordFromDocument("id1", R"({"owner":{}})"), std::invalid_argument);
  CHECK_THROWS_AS(recordFromDocument("id1", "not json"), std::invalid_argument);
}

TEST_CASE("a final response over the size limit becomes Elasticsearch's failure to store it") {
  SearchRecord record;
  record.state = SearchState::completed;
  record.response = std::string(2000, 'x');
  limitResponseSize(record, 2000);
  CHECK(record.response);  // at the limit: kept
  limitResponseSize(record, 1999);
  CHECK_FALSE(record.response);
  CHECK(record.state == SearchState::failed);
  CHECK(record.status == 400);
  const auto error = nlohmann::json::parse(*record.error);
  CHECK(error["type"] == "illegal_argument_exception");
  CHECK(error["reason"] ==
        "Can't store an async search response larger than [1999] bytes. This limit can be set by changing the "
        "[search.max_async_search_response_size] setting.");
}

TEST_CASE("who may see a search: the same user and authentication, the same API key or its owner; anyone without security") {
  const Owner basic{"alice", "basic", ""};
  const Caller alice{"alice", "basic", "", {}};
  const Caller bob{"bob", "basic", "", {"superuser"}};
  const Caller aliceKey1{"alice", "api_key", "k1", {}};
  const Caller aliceKey2{"alice", "api_key", "k2", {}};
  CHECK(mayAccess(basic, alice));
  CHECK_FALSE(mayAccess(basic, bob));  // a superuser too: only status is open to them
  CHECK_FALSE(mayAccess(basic, aliceKey1));
  const Owner key{"alice", "api_key", "k1"};
  CHECK(mayAccess(key, aliceKey1));
  CHECK_FALSE(mayAccess(key, aliceKey2));
  CHECK(mayAccess(key, alice));
  CHECK_FALSE(mayAccess(key, Caller{"bob", "api_key", "k1", {}}));
  const Owner anonymous{"anonymous", "anonymous", ""};
  CHECK(mayAccess(anonymous, bob));
  CHECK(isSuperuser(bob));
  CHECK_FALSE(isSuperuser(alice));
}

TEST_CASE("a remote cluster's answers: its id replaced by Orrery's, errors as Elasticsearch's, no async search told apart") {
  const std::string running =
      R"({"id":"CLUSTERID","is_partial":true,"is_running":true,"start_time_in_millis":10,"expiration_time_in_millis":20,)"
      R"("response":{"took":3,"_shards":{"total":4,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":5,"relation":"gte"}}}})";
  CHECK(clusterSearchId(running) == "CLUSTERID");
  const auto result = resultFromCluster(200, running, std::string("OWN"));
  CHECK(result.id == "OWN");
  CHECK(result.isRunning);
  CHECK(result.startTimeMillis == 10);
  CHECK(result.expirationTimeMillis == 20);
  CHECK(result.shards.successful == 1);
  CHECK(result.shards.total == 4);
  CHECK(result.response->find("CLUSTERID") == std::string::npos);
  CHECK_FALSE(resultFromCluster(200, running, std::nullopt).id);

  const auto status = resultFromCluster(
      200, R"({"id":"X","is_running":false,"is_partial":true,"start_time_in_millis":1,"expiration_time_in_millis":2,)"
           R"("_shards":{"total":3,"successful":2,"skipped":0,"failed":1},"completion_status":503})",
      std::string("OWN"));
  CHECK(status.status == 503);
  CHECK(status.shards.failed == 1);

  try {
    resultFromCluster(404, R"({"error":{"type":"resource_not_found_exception","reason":"X"},"status":404})", std::string("OWN"));
    FAIL("no error");
  } catch (const AsyncSearchError& error) {
    CHECK(error.status() == 404);
    CHECK(std::string(error.what()) == "OWN");  // Orrery's id, never the cluster's
  }
  try {
    resultFromCluster(400, R"({"error":{"type":"parsing_exception","reason":"bad"},"status":400})", std::nullopt);
    FAIL("no error");
  } catch (const AsyncSearchError& error) {
    CHECK(error.status() == 400);
    CHECK(error.type() == "parsing_exception");
  }
  CHECK_THROWS_AS(resultFromCluster(200, "[1,2]", std::nullopt), AsyncSearchError);
  CHECK_THROWS_AS(resultFromCluster(200, "not json", std::nullopt), AsyncSearchError);

  CHECK(lacksAsyncSearch(400, R"({"error":"no handler found for uri [/logs/_async_search] and method [POST]"})"));
  CHECK(lacksAsyncSearch(400, R"({"error":{"type":"illegal_argument_exception","reason":"no handler found for uri [/x]"}})"));
  CHECK(lacksAsyncSearch(405, "{}"));
  CHECK(lacksAsyncSearch(404, "<html>not found</html>"));
  CHECK_FALSE(lacksAsyncSearch(404, R"({"error":{"type":"index_not_found_exception","reason":"no such index [logs]"},"status":404})"));
  CHECK_FALSE(lacksAsyncSearch(400, R"({"error":{"type":"parsing_exception","reason":"bad"}})"));
  CHECK_FALSE(lacksAsyncSearch(200, running));
}

TEST_CASE("typed keys come off every level of aggregations and the suggesters, never off documents") {
  const std::string typed =
      R"({"took":1,"hits":{"hits":[{"_source":{"a#b":1}}]},"aggregations":{"sterms#levels":{"buckets":[)"
      R"({"key":"x","doc_count":2,"avg#lat":{"value":1.5},"top_hits#top":{"hits":{"hits":[{"_source":{"c#d":2}}]}}}]},)"
      R"("filter#errors":{"doc_count":1,"max#m":{"value":3}},"date_range#r":{"buckets":{"k":{"doc_count":1,"sum#s":{"value":4}}}}},)"
      R"("suggest":{"term#fix":[]}})";
  const auto plain = nlohmann::json::parse(withoutTypedKeys(typed));
  const auto& aggs = plain["aggregations"];
  CHECK(aggs["levels"]["buckets"][0]["lat"]["value"] == 1.5);
  CHECK(aggs["levels"]["buckets"][0]["top"]["hits"]["hits"][0]["_source"].contains("c#d"));  // a document
  CHECK(aggs["errors"]["m"]["value"] == 3);
  CHECK(aggs["r"]["buckets"]["k"]["s"]["value"] == 4);
  CHECK(plain["suggest"].contains("fix"));
  CHECK(plain["hits"]["hits"][0]["_source"].contains("a#b"));
  // Without aggregations or suggestions: the text as it was, not even parsed.
  const std::string hitsOnly = R"({"took":1,"hits":{"hits":[{"_source":{"x#y":1}}]}})";
  CHECK(withoutTypedKeys(hitsOnly) == hitsOnly);
  CHECK(typedKeysAsked({{"typed_keys", ""}}));
  CHECK(typedKeysAsked({{"typed_keys", "true"}}));
  CHECK_FALSE(typedKeysAsked({{"typed_keys", "false"}}));
  CHECK_FALSE(typedKeysAsked({}));
  const auto asked = withTypedKeys({{"q", "x"}, {"typed_keys", "false"}});
  CHECK(asked == std::vector<std::pair<std::string, std::string>>{{"q", "x"}, {"typed_keys", "true"}});
}
