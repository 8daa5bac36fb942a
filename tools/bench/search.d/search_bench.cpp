// The embedded engine's side of tools/bench/search: generates N log documents, bulk-loads
// them through the _bulk code path (NDJSON parsing, mapping, SQLite writes), writes the
// same rows as CSV for the sqlite3 baseline, then times three searches. Prints one JSON
// object per figure on stdout.
//
// Usage: search_bench WORK_DIR DOCS RUNS
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bulk.hpp"
#include "dates.hpp"
#include "engine.hpp"
#include "search.hpp"
#include "search_request.hpp"

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const char* kLevels[] = {"info", "info", "info", "info", "info", "info", "info", "warn", "warn", "error"};
const char* kServices[] = {"api", "web", "auth", "db", "cache", "search", "billing", "mail", "queue", "cdn"};
const char* kMessages[] = {"request completed", "connection timeout to upstream", "user logged in",
                           "cache miss for key", "slow query detected", "payment processed successfully",
                           "retrying request after error", "disk usage above threshold", "session expired",
                           "upstream returned bad gateway"};

struct Doc {
  std::int64_t ts;
  const char* level;
  const char* service;
  int host;
  int latency;
  const char* message;
};

Doc makeDoc(std::uint64_t i) {
  std::uint64_t x = i * 0x9E3779B97F4A7C15ull + 12345;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return Doc{1704067200000LL + static_cast<std::int64_t>(i) * 3000, kLevels[x % 10], kServices[(x >> 8) % 10],
             static_cast<int>((x >> 16) % 50), static_cast<int>((x >> 24) % 2000), kMessages[(x >> 40) % 10]};
}

double medianMs(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: search_bench WORK_DIR DOCS RUNS\n";
    return 64;
  }
  const std::filesystem::path work = argv[1];
  const long docs = std::stol(argv[2]);
  const int runs = std::stoi(argv[3]);
  orrery::data::Engine engine(work / "indices");
  engine.createIndex("logs", json::parse(R"({"mappings":{"properties":{"timestamp":{"type":"date"},
      "level":{"type":"keyword"},"service":{"type":"keyword"},"host":{"type":"keyword"},
      "latency_ms":{"type":"long"},"message":{"type":"text"}}}})"));

  // CSV for the baseline, written first so it is not in the timed load.
  {
    std::ofstream csv(work / "logs.csv");
    for (long i = 0; i < docs; ++i) {
      const Doc d = makeDoc(static_cast<std::uint64_t>(i));
      csv << d.ts << ',' << d.level << ',' << d.service << ",host-" << d.host << ',' << d.latency << ",\"" << d.message << "\"\n";
    }
  }

  // Bulk load: 5,000 documents per _bulk request, as a client would send them.
  double bulkSeconds = 0;
  const long batch = 5000;
  for (long start = 0; start < docs; start += batch) {
    std::string body;
    for (long i = start; i < std::min(docs, start + batch); ++i) {
      const Doc d = makeDoc(static_cast<std::uint64_t>(i));
      body += "{\"index\":{}}\n{\"timestamp\":\"" + orrery::data::formatDate(d.ts) + "\",\"level\":\"" + d.level +
              "\",\"service\":\"" + d.service + "\",\"host\":\"host-" + std::to_string(d.host) +
              "\",\"latency_ms\":" + std::to_string(d.latency) + ",\"message\":\"" + d.message + "\"}\n";
    }
    const auto t0 = Clock::now();
    auto items = orrery::data::parseBulk(body, "logs");
    const auto response = orrery::data::executeBulk(engine, std::move(items), false);
    bulkSeconds += std::chrono::duration<double>(Clock::now() - t0).count();
    if (response["errors"] == true) {
      std::cerr << "bulk errors: " << response.dump().substr(0, 500) << "\n";
      return 1;
    }
  }
  std::cout << json{{"figure", "bulk"}, {"docs", docs}, {"seconds", bulkSeconds}, {"docs_per_s", docs / bulkSeconds}} << "\n";

  const std::vector<std::pair<std::string, std::string>> queries = {
      {"match", R"({"size":10,"query":{"match":{"message":"timeout"}}})"},
      {"range_terms", R"({"size":0,"query":{"range":{"latency_ms":{"gte":1500}}},"aggs":{"by_service":{"terms":{"field":"service"}}}})"},
      {"date_histogram_avg", R"({"size":0,"aggs":{"per_hour":{"date_histogram":{"field":"timestamp","fixed_interval":"1h"},"aggs":{"avg_latency":{"avg":{"field":"latency_ms"}}}}}})"},
  };
  const auto indices = engine.resolve("logs");
  for (const auto& [name, body] : queries) {
    const auto request = orrery::data::parseSearchRequest(json::parse(body));
    json last = orrery::data::searchIndices(indices, request);  // warm-up
    std::vector<double> times;
    for (int r = 0; r < runs; ++r) {
      const auto t0 = Clock::now();
      last = orrery::data::searchIndices(indices, request);
      times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    json check = last["hits"]["total"];
    if (last.contains("aggregations")) {
      const auto& aggs = last["aggregations"];
      check = json{{"total", last["hits"]["total"]}, {"buckets", aggs.begin()->at("buckets").size()},
                   {"first_bucket", aggs.begin()->at("buckets")[0]}};
    }
    std::cout << json{{"figure", name}, {"median_ms", medianMs(times)}, {"check", check}} << "\n";
  }
  return 0;
}
