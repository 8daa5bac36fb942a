// Aggregations, each compared with values computed independently from the generated
// documents in the test itself, on one shard and reduced across several.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "dates.hpp"
#include "engine_fixture.hpp"
#include "errors.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

struct Log {
  std::int64_t at;  // epoch millis
  std::string level;
  std::string service;
  double latency;
  int bytes;
};

std::vector<Log> generate(int n) {
  std::vector<Log> out;
  const char* levels[] = {"info", "warn", "error"};
  const char* services[] = {"api", "web", "db", "auth", "cache"};
  const std::int64_t start = 1704067200000;  // 2024-01-01T00:00:00Z
  for (int i = 0; i < n; ++i) {
    out.push_back(Log{start + static_cast<std::int64_t>(i) * 3'600'000 * 7 + (i % 13) * 60'000, levels[(i * 7) % 3],
                      services[(i * i) % 5], static_cast<double>((i * 37) % 1000) / 4.0, (i * 13) % 500});
  }
  return out;
}

EngineFixture& loaded(EngineFixture& f, const std::vector<Log>& logs, int shards) {
  f.create("logs", json{{"settings", {{"number_of_shards", shards}}},
                        {"mappings", {{"properties", {{"at", {{"type", "date"}}}, {"level", {{"type", "keyword"}}},
                                                      {"service", {{"type", "keyword"}}}, {"latency", {{"type", "double"}}},
                                                      {"bytes", {{"type", "integer"}}}}}}}});
  std::vector<json> docs;
  for (const auto& l : logs) {
    docs.push_back(json{{"at", l.at}, {"level", l.level}, {"service", l.service}, {"latency", l.latency}, {"bytes", l.bytes}});
  }
  for (const auto& r : f.load("logs", docs)) REQUIRE_FALSE(r.error);
  return f;
}

json aggs(EngineFixture& f, const json& aggregations, const json& query = {{"match_all", json::object()}}) {
  return f.search("logs", json{{"size", 0}, {"query", query}, {"aggs", aggregations}})["aggregations"];
}

}  // namespace

TEST_CASE("metric aggregations: avg, sum, min, max, value_count, stats, cardinality, percentiles") {
  const auto logs = generate(300);
  for (int shards : {1, 3}) {
    CAPTURE(shards);
    EngineFixture f;
    loaded(f, logs, shards);
    double sum = 0, min = 1e300, max = -1e300;
    std::set<int> distinctBytes;
    std::vector<double> latencies;
    for (const auto& l : logs) {
      sum += l.latency;
      min = std::min(min, l.latency);
      max = std::max(max, l.latency);
      distinctBytes.insert(l.bytes);
      latencies.push_back(l.latency);
    }
    std::sort(latencies.begin(), latencies.end());
    auto result = aggs(f, {{"avg", {{"avg", {{"field", "latency"}}}}},
                           {"sum", {{"sum", {{"field", "latency"}}}}},
                           {"min", {{"min", {{"field", "latency"}}}}},
                           {"max", {{"max", {{"field", "latency"}}}}},
                           {"count", {{"value_count", {{"field", "service"}}}}},
                           {"stats", {{"stats", {{"field", "latency"}}}}},
                           {"card", {{"cardinality", {{"field", "bytes"}}}}},
                           {"pct", {{"percentiles", {{"field", "latency"}, {"percents", {50, 90}}}}}}});
    CHECK(result["avg"]["value"].get<double>() == doctest::Approx(sum / 300));
    CHECK(result["sum"]["value"].get<double>() == doctest::Approx(sum));
    CHECK(result["min"]["value"].get<double>() == min);
    CHECK(result["max"]["value"].get<double>() == max);
    CHECK(result["count"]["value"] == 300);
    CHECK(result["stats"]["count"] == 300);
    CHECK(result["stats"]["avg"].get<double>() == doctest::Approx(sum / 300));
    CHECK(result["card"]["value"] == distinctBytes.size());
    // exact percentiles, linear interpolation between the closest ranks
    const auto pct = [&](double p) {
      const double rank = p / 100 * (latencies.size() - 1);
      const auto lo = static_cast<std::size_t>(std::floor(rank));
      return latencies[lo] + (latencies[std::min(lo + 1, latencies.size() - 1)] - latencies[lo]) * (rank - lo);
    };
    CHECK(result["pct"]["values"]["50.0"].get<double>() == doctest::Approx(pct(50)));
    CHECK(result["pct"]["values"]["90.0"].get<double>() == doctest::Approx(pct(90)));
  }
}

TEST_CASE("terms with size, order, min_doc_count, missing and a sub-aggregation") {
  const auto logs = generate(300);
  for (int shards : {1, 3}) {
    CAPTURE(shards);
    EngineFixture f;
    loaded(f, logs, shards);
    std::map<std::string, int> counts;
    std::map<std::string, double> latencySum;
    for (const auto& l : logs) {
      ++counts[l.service];
      latencySum[l.service] += l.latency;
    }
    std::vector<std::pair<std::string, int>> expected(counts.begin(), counts.end());
    std::sort(expected.begin(), expected.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    auto result = aggs(f, {{"by", {{"terms", {{"field", "service"}, {"size", 3}}}, {"aggs", {{"lat", {{"avg", {{"field", "latency"}}}}}}}}}});
    const auto& buckets = result["by"]["buckets"];
    REQUIRE(buckets.size() == 3);
    int shown = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(buckets[i]["key"] == expected[i].first);
      CHECK(buckets[i]["doc_count"] == expected[i].second);
      CHECK(buckets[i]["lat"]["value"].get<double>() == doctest::Approx(latencySum[expected[i].first] / expected[i].second));
      shown += expected[i].second;
    }
    CHECK(result["by"]["sum_other_doc_count"] == 300 - shown);

    auto byKey = aggs(f, {{"by", {{"terms", {{"field", "service"}, {"order", {{"_key", "desc"}}}}}}}});
    CHECK(byKey["by"]["buckets"][0]["key"] == counts.rbegin()->first);
    auto bySub = aggs(f, {{"by", {{"terms", {{"field", "service"}, {"order", {{"lat", "asc"}}}}}, {"aggs", {{"lat", {{"avg", {{"field", "latency"}}}}}}}}}});
    std::string lowest;
    double lowestAvg = 1e300;
    for (const auto& [service, n] : counts) {
      if (latencySum[service] / n < lowestAvg) {
        lowestAvg = latencySum[service] / n;
        lowest = service;
      }
    }
    CHECK(bySub["by"]["buckets"][0]["key"] == lowest);
    auto numeric = aggs(f, {{"by", {{"terms", {{"field", "bytes"}, {"size", 1}, {"min_doc_count", 1000}}}}}});
    CHECK(numeric["by"]["buckets"].empty());
  }
  // missing: documents without the field get their own bucket
  EngineFixture f;
  f.load("m", {json{{"k", "a"}}, json{{"k", "a"}}, json{{"other", 1}}});
  auto result = f.search("m", json{{"size", 0}, {"aggs", {{"k", {{"terms", {{"field", "k.keyword"}, {"missing", "none"}}}}}}}})["aggregations"];
  CHECK(result["k"]["buckets"] == json::parse(R"([{"key":"a","doc_count":2},{"key":"none","doc_count":1}])"));
}

TEST_CASE("date_histogram with fixed and calendar intervals, time_zone, min_doc_count, extended_bounds, avg sub-aggregation") {
  const auto logs = generate(200);
  for (int shards : {1, 2}) {
    CAPTURE(shards);
    EngineFixture f;
    loaded(f, logs, shards);
    std::map<std::int64_t, std::pair<int, double>> perDay;
    std::map<std::int64_t, int> perMonth;
    for (const auto& l : logs) {
      auto& d = perDay[l.at - l.at % 86'400'000];
      ++d.first;
      d.second += l.latency;
      std::int64_t y;
      unsigned m, dd;
      civilFromDays(l.at / 86'400'000, y, m, dd);
      ++perMonth[daysFromCivil(y, m, 1) * 86'400'000];
    }
    auto daily = aggs(f, {{"d", {{"date_histogram", {{"field", "at"}, {"fixed_interval", "1d"}}}, {"aggs", {{"lat", {{"avg", {{"field", "latency"}}}}}}}}}});
    const auto& buckets = daily["d"]["buckets"];
    const std::int64_t first = perDay.begin()->first, last = perDay.rbegin()->first;
    REQUIRE(buckets.size() == static_cast<std::size_t>((last - first) / 86'400'000 + 1));  // gaps filled (min_doc_count 0)
    for (const auto& b : buckets) {
      const auto key = b["key"].get<std::int64_t>();
      auto it = perDay.find(key);
      CHECK(b["doc_count"] == (it == perDay.end() ? 0 : it->second.first));
      if (it != perDay.end()) CHECK(b["lat"]["value"].get<double>() == doctest::Approx(it->second.second / it->second.first));
      CHECK(b["key_as_string"] == formatDate(key));
    }
    auto monthly = aggs(f, {{"m", {{"date_histogram", {{"field", "at"}, {"calendar_interval", "month"}, {"min_doc_count", 1}}}}}});
    REQUIRE(monthly["m"]["buckets"].size() == perMonth.size());
    std::size_t i = 0;
    for (const auto& [key, n] : perMonth) {
      CHECK(monthly["m"]["buckets"][i]["key"] == key);
      CHECK(monthly["m"]["buckets"][i]["doc_count"] == n);
      ++i;
    }
    // extended_bounds add empty buckets before and after the data
    auto extended = aggs(f, {{"m", {{"date_histogram", {{"field", "at"}, {"calendar_interval", "month"},
                                                        {"extended_bounds", {{"min", "2023-11-01"}, {"max", perMonth.rbegin()->first + 40LL * 86'400'000}}}}}}}});
    CHECK(extended["m"]["buckets"].size() == perMonth.size() + 3);
    CHECK(extended["m"]["buckets"][0]["key_as_string"] == "2023-11-01T00:00:00.000Z");
    CHECK(extended["m"]["buckets"][0]["doc_count"] == 0);
  }
  // time_zone shifts bucket boundaries
  EngineFixture f;
  f.load("tz", {json{{"at", "2024-03-01T23:30:00Z"}}});
  auto shifted = f.search("tz", json{{"size", 0}, {"aggs", {{"d", {{"date_histogram", {{"field", "at"}, {"calendar_interval", "day"}, {"time_zone", "+02:00"}}}}}}}})["aggregations"];
  CHECK(shifted["d"]["buckets"][0]["key_as_string"] == "2024-03-02T00:00:00.000+02:00");
  CHECK(shifted["d"]["buckets"][0]["key"] == 1709330400000LL);
  CHECK_THROWS_WITH_AS(f.search("tz", json{{"aggs", {{"d", {{"date_histogram", {{"field", "at"}, {"calendar_interval", "2d"}}}}}}}}),
                       doctest::Contains("could not be parsed as a calendar interval"), EngineError);
}

TEST_CASE("histogram, range and filters aggregations") {
  const auto logs = generate(250);
  EngineFixture f;
  loaded(f, logs, 2);
  std::map<int, int> perHundred;
  int low = 0, mid = 0, high = 0, errors = 0, apiWarn = 0;
  for (const auto& l : logs) {
    ++perHundred[l.bytes / 100 * 100];
    if (l.latency < 50) ++low;
    else if (l.latency < 150) ++mid;
    else ++high;
    errors += l.level == "error";
    apiWarn += l.service == "api" && l.level == "warn";
  }
  auto result = aggs(f, {{"h", {{"histogram", {{"field", "bytes"}, {"interval", 100}}}}},
                         {"r", {{"range", {{"field", "latency"}, {"ranges", {{{"to", 50}}, {{"from", 50}, {"to", 150}}, {{"from", 150}, {"key", "slow"}}}}}}}},
                         {"f", {{"filters", {{"filters", {{"errors", {{"term", {{"level", "error"}}}}}, {"api_warn", {{"bool", {{"filter", {{{"term", {{"service", "api"}}}}, {{"term", {{"level", "warn"}}}}}}}}}}}}}}}}});
  REQUIRE(result["h"]["buckets"].size() == perHundred.size());
  for (const auto& b : result["h"]["buckets"]) CHECK(b["doc_count"] == perHundred[static_cast<int>(b["key"].get<double>())]);
  CHECK(result["r"]["buckets"][0]["key"] == "*-50.0");
  CHECK(result["r"]["buckets"][0]["doc_count"] == low);
  CHECK(result["r"]["buckets"][1]["key"] == "50.0-150.0");
  CHECK(result["r"]["buckets"][1]["doc_count"] == mid);
  CHECK(result["r"]["buckets"][2]["key"] == "slow");
  CHECK(result["r"]["buckets"][2]["doc_count"] == high);
  CHECK(result["f"]["buckets"]["errors"]["doc_count"] == errors);
  CHECK(result["f"]["buckets"]["api_warn"]["doc_count"] == apiWarn);
}

TEST_CASE("aggregations respect the query; top_hits returns the best documents per bucket") {
  const auto logs = generate(120);
  EngineFixture f;
  loaded(f, logs, 3);
  int errorCount = 0;
  double errorMax = -1;
  for (const auto& l : logs) {
    if (l.level != "error") continue;
    ++errorCount;
    errorMax = std::max(errorMax, l.latency);
  }
  auto result = aggs(f, {{"n", {{"value_count", {{"field", "level"}}}}},
                         {"top", {{"top_hits", {{"size", 2}, {"sort", {{{"latency", "desc"}}}}, {"_source", {"latency"}}}}}}},
                     {{"term", {{"level", "error"}}}});
  CHECK(result["n"]["value"] == errorCount);
  CHECK(result["top"]["hits"]["total"]["value"] == errorCount);
  REQUIRE(result["top"]["hits"]["hits"].size() == 2);
  CHECK(result["top"]["hits"]["hits"][0]["_source"] == json{{"latency", errorMax}});
}

TEST_CASE("typed_keys prefixes aggregation names with their type") {
  EngineFixture f;
  f.load("k", {json{{"s", "x"}, {"n", 1}, {"d", 1.5}, {"at", "2024-01-01"}}});
  auto result = f.search("k", json{{"size", 0}, {"aggs", {{"a", {{"terms", {{"field", "s.keyword"}}}}}, {"b", {{"terms", {{"field", "n"}}}}},
                                                          {"c", {{"avg", {{"field", "n"}}}}}, {"h", {{"date_histogram", {{"field", "at"}, {"calendar_interval", "year"}}}}}}}},
                          true)["aggregations"];
  CHECK(result.contains("sterms#a"));
  CHECK(result.contains("lterms#b"));
  CHECK(result.contains("avg#c"));
  CHECK(result.contains("date_histogram#h"));
}

TEST_CASE("aggregating a text field or a keyword with a numeric metric is refused") {
  EngineFixture f;
  f.load("x", {json{{"msg", "hello"}}});
  CHECK_THROWS_WITH_AS(f.search("x", json{{"aggs", {{"t", {{"terms", {{"field", "msg"}}}}}}}}), doctest::Contains("Text fields are not optimised"), EngineError);
  CHECK_THROWS_WITH_AS(f.search("x", json{{"aggs", {{"t", {{"avg", {{"field", "msg.keyword"}}}}}}}}), doctest::Contains("not supported for aggregation [avg]"), EngineError);
}
