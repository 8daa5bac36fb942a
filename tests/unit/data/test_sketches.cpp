// cardinality and percentiles in bounded memory: exact below their thresholds (as
// Elasticsearch: precision_threshold, and the exact percentiles of small samples), a
// HyperLogLog++ and a t-digest above, within the expected error, and merged across shards.
#include <doctest/doctest.h>

#include <cmath>

#include "agg_sketches.hpp"
#include "engine_fixture.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

TEST_CASE("cardinality: exact up to precision_threshold, then registers within a few percent") {
  CardinalitySketch exact;
  for (std::int64_t i = 0; i < 3000; ++i) {
    exact.add(hashValue(SqlValue(i)));
    exact.add(hashValue(SqlValue(i)));  // a value seen twice counts once
  }
  CHECK(exact.exact());
  CHECK(exact.estimate() == 3000);

  CardinalitySketch large;
  for (std::int64_t i = 0; i < 200'000; ++i) large.add(hashValue(SqlValue("value-" + std::to_string(i))));
  CHECK_FALSE(large.exact());  // 2^14 one-byte registers, not 200,000 hashes
  CHECK(std::abs(large.estimate() - 200'000) < 200'000 * 0.03);

  // Two shards' sketches, overlapping by half.
  CardinalitySketch a(100), b(100);
  for (std::int64_t i = 0; i < 20'000; ++i) a.add(hashValue(SqlValue(i)));
  for (std::int64_t i = 10'000; i < 30'000; ++i) b.add(hashValue(SqlValue(i)));
  a.merge(b);
  CHECK(std::abs(a.estimate() - 30'000) < 30'000 * 0.1);  // p = 8 for a threshold of 100: ~6.5%
  CardinalitySketch capped(1'000'000);  // past 40,000: treated as 40,000, as Elasticsearch does
  for (std::int64_t i = 0; i < 40'001; ++i) capped.add(hashValue(SqlValue(i)));
  CHECK_FALSE(capped.exact());
}

TEST_CASE("percentiles: exact for small samples, a t-digest of bounded size for large ones") {
  PercentileSketch small;
  for (int i = 1; i <= 101; ++i) small.add(i);
  CHECK(small.exact());
  CHECK(small.percentile(50) == 51);
  CHECK(small.percentile(99) == doctest::Approx(100));

  PercentileSketch large;
  for (int i = 0; i < 1'000'000; ++i) large.add(static_cast<double>((i * 7919LL) % 1'000'000));
  CHECK_FALSE(large.exact());
  CHECK(large.storedValues() < 3'000);
  CHECK(large.percentile(50) == doctest::Approx(500'000).epsilon(0.01));
  CHECK(large.percentile(99) == doctest::Approx(990'000).epsilon(0.005));
  CHECK(large.percentile(0) == 0);
  CHECK(large.percentile(100) == 999'999);

  PercentileSketch left, right;
  for (int i = 0; i < 50'000; ++i) left.add(i);
  for (int i = 50'000; i < 100'000; ++i) right.add(i);
  left.merge(right);
  CHECK(left.count() == 100'000);
  CHECK(left.percentile(25) == doctest::Approx(25'000).epsilon(0.01));
}

TEST_CASE("cardinality and percentiles aggregations over several shards") {
  EngineFixture f;
  f.create("c", json{{"settings", {{"number_of_shards", 3}}}});
  std::vector<json> docs;
  for (int i = 0; i < 12'000; ++i) docs.push_back(json{{"k", std::string("v").append(std::to_string(i % 5000))}, {"n", i}});
  f.load("c", docs);
  const auto result = f.search("c", json{{"size", 0},
                                         {"aggs",
                                          {{"exact", {{"cardinality", {{"field", "k.keyword"}, {"precision_threshold", 40000}}}}},
                                           {"sketch", {{"cardinality", {{"field", "k.keyword"}, {"precision_threshold", 100}}}}},
                                           {"p", {{"percentiles", {{"field", "n"}, {"percents", {50}}}}}}}}});
  CHECK(result["aggregations"]["exact"]["value"] == 5000);
  CHECK(std::abs(result["aggregations"]["sketch"]["value"].get<double>() - 5000) < 5000 * 0.1);
  CHECK(result["aggregations"]["p"]["values"]["50.0"].get<double>() == doctest::Approx(6000).epsilon(0.01));
}
