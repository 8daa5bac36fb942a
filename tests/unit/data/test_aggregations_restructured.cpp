// Aggregation behaviour added or restructured for speed: metric sub-aggregations computed
// in the bucket aggregation's own GROUP BY query (checked against the per-bucket path and
// against values computed here), date_histogram in named IANA time zones across
// daylight-saving changes (keys computed here from the published rules, not from the tz
// database), and terms with min_doc_count 0.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>

#include "engine_fixture.hpp"
#include "errors.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

json dateAggs(EngineFixture& f, const std::string& index, const json& histogram, const json& subs = nullptr) {
  json agg = {{"date_histogram", histogram}};
  if (!subs.is_null()) agg["aggs"] = subs;
  return f.search(index, json{{"size", 0}, {"aggs", {{"h", agg}}}})["aggregations"]["h"]["buckets"];
}

// One document per hour from `from` (UTC millis) for `hours` hours, `n` numbering them.
void hourly(EngineFixture& f, const std::string& index, std::int64_t from, int hours) {
  f.create(index, json{{"mappings", {{"properties", {{"at", {{"type", "date"}}}, {"n", {{"type", "long"}}}}}}}});
  std::vector<json> docs;
  for (int i = 0; i < hours; ++i) docs.push_back(json{{"at", from + i * kHour}, {"n", i}});
  for (const auto& r : f.load(index, docs)) REQUIRE_FALSE(r.error);
}

// Expected daily buckets: key -> count, from a function giving the UTC offset in effect at
// a UTC instant and the offset in effect at a local midnight.
std::map<std::int64_t, int> expectedDays(std::int64_t from, int hours, std::int64_t (*offsetAtUtc)(std::int64_t),
                                         std::int64_t (*offsetAtLocalMidnight)(std::int64_t)) {
  std::map<std::int64_t, int> out;
  for (int i = 0; i < hours; ++i) {
    const std::int64_t utc = from + i * kHour;
    const std::int64_t local = utc + offsetAtUtc(utc);
    const std::int64_t midnight = local - ((local % kDay) + kDay) % kDay;
    ++out[midnight - offsetAtLocalMidnight(midnight)];
  }
  return out;
}

// Europe/Berlin 2024: CET (+01:00) until 2024-03-31T01:00Z, then CEST (+02:00).
constexpr std::int64_t kBerlinSpring = 1711846800000;     // 2024-03-31T01:00:00Z
constexpr std::int64_t kBerlinLocalSwitch = 1711850400000;  // 2024-03-31T02:00 local, as if UTC
std::int64_t berlinAtUtc(std::int64_t utc) { return utc < kBerlinSpring ? kHour : 2 * kHour; }
std::int64_t berlinAtLocal(std::int64_t local) { return local < kBerlinLocalSwitch ? kHour : 2 * kHour; }

// America/New_York 2024: EDT (-04:00) until 2024-11-03T06:00Z, then EST (-05:00).
constexpr std::int64_t kNewYorkFall = 1730613600000;       // 2024-11-03T06:00:00Z
constexpr std::int64_t kNewYorkLocalSwitch = 1730599200000;  // 2024-11-03T02:00 local, as if UTC
std::int64_t newYorkAtUtc(std::int64_t utc) { return utc < kNewYorkFall ? -4 * kHour : -5 * kHour; }
std::int64_t newYorkAtLocal(std::int64_t local) { return local < kNewYorkLocalSwitch ? -4 * kHour : -5 * kHour; }

void checkDays(const json& buckets, const std::map<std::int64_t, int>& expected) {
  REQUIRE(buckets.size() == expected.size());
  std::size_t i = 0;
  for (const auto& [key, count] : expected) {
    CAPTURE(i);
    CHECK(buckets[i]["key"] == key);
    CHECK(buckets[i]["doc_count"] == count);
    // A non-folded sub-aggregation runs over [key, next key): a unique value per
    // document, so its cardinality is the bucket's count when the range is right.
    if (buckets[i].contains("c")) CHECK(buckets[i]["c"]["value"] == count);
    ++i;
  }
}

// Loads hourly documents and checks the zone's daily buckets (calendar_interval day) with a
// non-folded sub-aggregation; returns the buckets.
json loadedAndCheckedDays(EngineFixture& f, const std::string& index, std::int64_t from, int hours, const std::string& zone,
                          const std::map<std::int64_t, int>& expected) {
  hourly(f, index, from, hours);
  const json cardinality = {{"c", {{"cardinality", {{"field", "n"}}}}}};
  auto days = dateAggs(f, index, {{"field", "at"}, {"calendar_interval", "day"}, {"time_zone", zone}}, cardinality);
  checkDays(days, expected);
  return days;
}

}  // namespace

TEST_CASE("date_histogram in Europe/Berlin: local-midnight days across the spring change (a 23-hour day)") {
  EngineFixture f;
  const std::int64_t from = 1711710000000;  // 2024-03-29T11:00:00Z
  const auto expected = expectedDays(from, 4 * 24, berlinAtUtc, berlinAtLocal);
  const auto days = loadedAndCheckedDays(f, "berlin", from, 4 * 24, "Europe/Berlin", expected);
  // The change day holds 23 hours; keys print in local time with the offset of the day.
  CHECK(expected.at(1711839600000) == 23);  // 2024-03-31T00:00+01:00
  CHECK(days[2]["key_as_string"] == "2024-03-31T00:00:00.000+01:00");
  CHECK(days[3]["key_as_string"] == "2024-04-01T00:00:00.000+02:00");
  CHECK(days[3]["key"] == 1711922400000);  // 2024-03-31T22:00:00Z

  const auto months = dateAggs(f, "berlin", {{"field", "at"}, {"calendar_interval", "month"}, {"time_zone", "Europe/Berlin"}});
  REQUIRE(months.size() == 2);
  CHECK(months[0]["key"] == 1709247600000);  // 2024-03-01T00:00+01:00
  CHECK(months[1]["key"] == 1711922400000);  // 2024-04-01T00:00+02:00
  int inMarch = 0;
  for (int i = 0; i < 4 * 24; ++i) inMarch += from + i * kHour < 1711922400000 ? 1 : 0;
  CHECK(months[0]["doc_count"] == inMarch);
  CHECK(months[1]["doc_count"] == 4 * 24 - inMarch);
}

TEST_CASE("date_histogram in America/New_York: a 25-hour day and the repeated hour in the autumn change") {
  EngineFixture f;
  const std::int64_t from = 1730548800000;  // 2024-11-02T12:00:00Z
  const auto expected = expectedDays(from, 3 * 24, newYorkAtUtc, newYorkAtLocal);
  loadedAndCheckedDays(f, "ny", from, 3 * 24, "America/New_York", expected);
  CHECK(expected.at(1730606400000) == 25);  // 2024-11-03T00:00-04:00

  // Hours: the local hour 01:00 happens twice, as two buckets with different offsets.
  const auto hours = dateAggs(f, "ny", {{"field", "at"}, {"calendar_interval", "hour"}, {"time_zone", "America/New_York"}});
  REQUIRE(hours.size() == 3 * 24);
  std::set<std::string> repeated;
  for (const auto& b : hours) {
    CHECK(b["doc_count"] == 1);
    const auto text = b["key_as_string"].get<std::string>();
    if (text.starts_with("2024-11-03T01:00:00.000")) repeated.insert(text);
  }
  CHECK(repeated == std::set<std::string>{"2024-11-03T01:00:00.000-04:00", "2024-11-03T01:00:00.000-05:00"});

  // extended_bounds in the zone add whole local days.
  const auto extended = dateAggs(f, "ny", {{"field", "at"}, {"calendar_interval", "day"}, {"time_zone", "America/New_York"},
                                           {"extended_bounds", {{"min", "2024-10-31T12:00:00Z"}}}});
  REQUIRE(extended.size() == expected.size() + 2);
  CHECK(extended[0]["key_as_string"] == "2024-10-31T00:00:00.000-04:00");
  CHECK(extended[0]["doc_count"] == 0);
}

TEST_CASE("date_histogram refuses an unknown time zone, naming it") {
  EngineFixture f;
  f.load("tz", {json{{"at", "2024-03-01T23:30:00Z"}}});
  try {
    dateAggs(f, "tz", {{"field", "at"}, {"calendar_interval", "day"}, {"time_zone", "Europe/Berln"}});
    FAIL("no error for an unknown zone");
  } catch (const EngineError& error) {
    CHECK(error.status() == 400);
    CHECK(error.cause()["type"] == "illegal_argument_exception");
    CHECK(error.cause()["reason"].get<std::string>().find("Europe/Berln") != std::string::npos);
  }
  // Fixed offsets keep working in every spelling.
  for (const char* offset : {"+02:00", "+0200", "+02"}) {
    CAPTURE(offset);
    const auto days = dateAggs(f, "tz", {{"field", "at"}, {"calendar_interval", "day"}, {"time_zone", offset}});
    CHECK(days[0]["key_as_string"] == "2024-03-02T00:00:00.000+02:00");
  }
}

TEST_CASE("metric sub-aggregations folded into the bucket query equal the per-bucket path and independent values") {
  EngineFixture f;
  f.create("m", json{{"settings", {{"number_of_shards", 2}}},
                     {"mappings", {{"properties", {{"at", {{"type", "date"}}}, {"k", {{"type", "keyword"}}},
                                                   {"x", {{"type", "double"}}}, {"y", {{"type", "long"}}}}}}}});
  std::vector<json> docs;
  std::map<std::string, std::vector<double>> xs;
  for (int i = 0; i < 240; ++i) {
    json doc = {{"at", 1704067200000LL + i * 20 * 60'000LL}, {"k", std::string(1, static_cast<char>('a' + i % 5))}, {"y", i}};
    if (i % 7 != 0) {  // some documents lack the metric field
      doc["x"] = (i * 37 % 101) / 4.0;
      xs[doc["k"].get<std::string>()].push_back(doc["x"].get<double>());
    } else {
      xs[doc["k"].get<std::string>()];
    }
    docs.push_back(doc);
  }
  for (const auto& r : f.load("m", docs)) REQUIRE_FALSE(r.error);
  const json metrics = {{"avg", {{"avg", {{"field", "x"}}}}}, {"sum", {{"sum", {{"field", "x"}}}}},
                        {"min", {{"min", {{"field", "x"}}}}}, {"max", {{"max", {{"field", "x"}}}}},
                        {"n", {{"value_count", {{"field", "x"}}}}}, {"st", {{"stats", {{"field", "x"}}}}},
                        {"none", {{"avg", {{"field", "absent"}}}}}};
  json perBucket = metrics;
  perBucket["card"] = {{"cardinality", {{"field", "y"}}}};  // not foldable: every metric runs per bucket
  const auto run = [&](const json& bucketAgg, const json& subs) {
    json agg = bucketAgg;
    agg["aggs"] = subs;
    return f.search("m", json{{"size", 0}, {"aggs", {{"b", agg}}}})["aggregations"]["b"]["buckets"];
  };
  const json terms = {{"terms", {{"field", "k"}}}};
  const auto folded = run(terms, metrics);
  const auto separate = run(terms, perBucket);
  REQUIRE(folded.size() == 5);
  REQUIRE(separate.size() == 5);
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const auto key = folded[i]["key"].get<std::string>();
    CAPTURE(key);
    const auto& v = xs[key];
    double sum = 0, lo = 1e300, hi = -1e300;
    for (double x : v) sum += x, lo = std::min(lo, x), hi = std::max(hi, x);
    CHECK(folded[i]["avg"]["value"].get<double>() == doctest::Approx(sum / static_cast<double>(v.size())));
    CHECK(folded[i]["sum"]["value"].get<double>() == doctest::Approx(sum));
    CHECK(folded[i]["min"]["value"] == lo);
    CHECK(folded[i]["max"]["value"] == hi);
    CHECK(folded[i]["n"]["value"] == v.size());
    CHECK(folded[i]["st"]["count"] == v.size());
    CHECK(folded[i]["none"]["value"].is_null());
    json expectedSame = separate[i];
    expectedSame.erase("card");
    CHECK(folded[i] == expectedSame);
  }
  const json hist = {{"date_histogram", {{"field", "at"}, {"fixed_interval", "6h"}}}};
  const auto foldedHist = run(hist, metrics);
  const auto separateHist = run(hist, perBucket);
  REQUIRE(foldedHist.size() == separateHist.size());
  for (std::size_t i = 0; i < foldedHist.size(); ++i) {
    json expectedSame = separateHist[i];
    expectedSame.erase("card");
    CHECK(foldedHist[i] == expectedSame);
  }
}

TEST_CASE("terms with min_doc_count 0 lists the field's terms no matching document holds, as zero-count buckets") {
  for (int shards : {1, 2}) {
    CAPTURE(shards);
    EngineFixture f;
    f.create("t", json{{"settings", {{"number_of_shards", shards}}},
                       {"mappings", {{"properties", {{"k", {{"type", "keyword"}}}, {"n", {{"type", "long"}}}}}}}});
    std::vector<json> docs = {{{"k", "a"}, {"n", 1}}, {{"k", "a"}, {"n", 2}}, {{"k", "a"}, {"n", 9}},
                              {{"k", "b"}, {"n", 1}}, {{"k", "b"}, {"n", 8}}, {{"k", "c"}, {"n", 7}},
                              {{"k", "d"}, {"n", 2}}, {{"k", "e"}, {"n", 0}}};
    for (const auto& r : f.load("t", docs)) REQUIRE_FALSE(r.error);
    const json query = {{"range", {{"n", {{"gte", 7}}}}}};  // a:1 b:1 c:1; d and e match nothing
    const auto run = [&](const json& terms) {
      return f.search("t", json{{"size", 0}, {"query", query}, {"aggs", {{"k", {{"terms", terms}}}}}})["aggregations"]["k"];
    };
    const auto all = run({{"field", "k"}, {"min_doc_count", 0}});
    CHECK(all["buckets"] == json::parse(R"([{"key":"a","doc_count":1},{"key":"b","doc_count":1},{"key":"c","doc_count":1},
                                           {"key":"d","doc_count":0},{"key":"e","doc_count":0}])"));
    // size cuts the zero-count buckets first (they sort last by count)
    const auto four = run({{"field", "k"}, {"min_doc_count", 0}, {"size", 4}});
    REQUIRE(four["buckets"].size() == 4);
    CHECK(four["buckets"][3] == json::parse(R"({"key":"d","doc_count":0})"));
    // ordered by key descending, the zero-count terms take their place by key
    const auto byKey = run({{"field", "k"}, {"min_doc_count", 0}, {"order", {{"_key", "desc"}}}});
    CHECK(byKey["buckets"][0] == json::parse(R"({"key":"e","doc_count":0})"));
    CHECK(byKey["buckets"][4] == json::parse(R"({"key":"a","doc_count":1})"));
    // the default (1) leaves them out
    CHECK(run({{"field", "k"}})["buckets"].size() == 3);
  }
}
