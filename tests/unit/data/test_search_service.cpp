// The search service: strategies by name, the local strategy's progress after each shard
// (counts and reduced partial responses) and its cancellation, over the host's real
// executor pools and real SQLite shards.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <mutex>

#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "engine_fixture.hpp"
#include "local_strategy.hpp"
#include "search_service.hpp"
#include "tests/support/recording_lifecycle.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Pools {
  orrery::executors::ExecutorPool pool{1, 2, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  ~Pools() { executors.drain(std::chrono::steady_clock::now() + 10s); }
};

std::shared_ptr<Engine> loadedEngine(EngineFixture& f, int shards, int docs) {
  f.create("logs", json{{"settings", {{"number_of_shards", shards}}}});
  std::vector<json> list;
  for (int i = 0; i < docs; ++i) list.push_back(json{{"n", i}, {"level", i % 2 ? "odd" : "even"}});
  f.load("logs", list);
  return std::shared_ptr<Engine>(&f.engine, [](Engine*) {});  // the fixture owns it
}

struct Recorded {
  std::mutex mutex;
  std::vector<SearchProgress> progress;
  std::promise<SearchOutcome> done;
};

SearchOutcome run(SearchStrategy& strategy, const std::string& index, const json& body, SearchOptions options,
                  Recorded& recorded) {
  auto future = recorded.done.get_future();
  strategy.search(index, body.dump(), options,
                  [&recorded](const SearchProgress& p) {
                    std::lock_guard lock(recorded.mutex);
                    recorded.progress.push_back(p);
                  },
                  [&recorded](SearchOutcome outcome) { recorded.done.set_value(std::move(outcome)); });
  REQUIRE(future.wait_for(30s) == std::future_status::ready);
  return future.get();
}

}  // namespace

TEST_CASE("the local strategy reports progress after each shard, then the final response") {
  EngineFixture f;
  auto engine = loadedEngine(f, 4, 200);
  Pools pools;
  LocalStrategy strategy(engine, pools.executors);
  Recorded recorded;
  const auto outcome = run(strategy, "logs", json{{"size", 0}, {"aggs", {{"levels", {{"terms", {{"field", "level.keyword"}}}}}}}}, {}, recorded);
  REQUIRE(outcome.ok());
  const auto final = json::parse(outcome.body);
  CHECK(final["hits"]["total"]["value"] == 200);
  CHECK(final["_shards"] == json{{"total", 4}, {"successful", 4}, {"skipped", 0}, {"failed", 0}});
  CHECK(final["aggregations"]["levels"]["buckets"][0]["doc_count"] == 100);
  CHECK(final["hits"]["total"]["relation"] == "eq");
  CHECK(final["num_reduce_phases"] == 4);  // three partial reduces and the final one

  std::lock_guard lock(recorded.mutex);
  REQUIRE(recorded.progress.size() == 3);  // after shards 1, 2 and 3; the 4th ends the search
  std::int64_t previous = 0;
  for (std::size_t i = 0; i < recorded.progress.size(); ++i) {
    const auto& p = recorded.progress[i];
    CHECK(p.total == 4);
    CHECK(p.successful == static_cast<int>(i + 1));
    const auto partial = json::parse(p.partialResponse);
    const auto hits = partial["hits"]["total"]["value"].get<std::int64_t>();
    CHECK(hits > previous);  // grows with each shard
    CHECK(hits < 200);
    std::int64_t bucketSum = 0;
    for (const auto& b : partial["aggregations"]["levels"]["buckets"]) bucketSum += b["doc_count"].get<std::int64_t>();
    CHECK(bucketSum == hits);  // partial aggregations cover exactly the shards done
    CHECK(partial["hits"]["total"]["relation"] == "gte");  // more shards may add hits
    CHECK(partial["num_reduce_phases"] == static_cast<int>(i + 1));
    previous = hits;
  }
}

TEST_CASE("batched_reduce_size: a partial reduce after every N shards, counted in num_reduce_phases") {
  EngineFixture f;
  auto engine = loadedEngine(f, 5, 100);
  Pools pools;
  LocalStrategy strategy(engine, pools.executors);
  Recorded recorded;
  SearchOptions options;
  options.parameters = {{"batched_reduce_size", "2"}};
  const auto outcome = run(strategy, "logs", json{{"size", 0}}, options, recorded);
  REQUIRE(outcome.ok());
  CHECK(json::parse(outcome.body)["num_reduce_phases"] == 3);  // after shards 2 and 4, then the final
  std::lock_guard lock(recorded.mutex);
  REQUIRE(recorded.progress.size() == 2);
  CHECK(recorded.progress[0].successful == 2);
  CHECK(recorded.progress[1].successful == 4);
}

TEST_CASE("batched_reduce_size under 2 or not a number is refused as Elasticsearch refuses it") {
  EngineFixture f;
  auto engine = loadedEngine(f, 2, 10);
  Pools pools;
  LocalStrategy strategy(engine, pools.executors);
  for (const auto& [value, reason] : std::vector<std::pair<std::string, std::string>>{
           {"1", "batchedReduceSize must be >= 2"},
           {"x", "Failed to parse int parameter [batched_reduce_size] with value [x]"}}) {
    Recorded recorded;
    SearchOptions options;
    options.parameters = {{"batched_reduce_size", value}};
    const auto outcome = run(strategy, "logs", json{{"size", 0}}, options, recorded);
    CHECK(outcome.status == 400);
    CHECK(json::parse(outcome.body)["error"]["reason"] == reason);
  }
}

TEST_CASE("cancelling a search stops its shards and ends it with task_cancelled_exception") {
  EngineFixture f;
  auto engine = loadedEngine(f, 3, 300);
  Pools pools;
  LocalStrategy strategy(engine, pools.executors);
  // Hold both blocking threads so the shards queue behind, then cancel before they run.
  std::promise<void> gate;
  auto opened = gate.get_future().share();
  pools.executors.postBlocking([opened] { opened.wait_for(30s); });
  pools.executors.postBlocking([opened] { opened.wait_for(30s); });
  orrery::CancellationSource source;
  SearchOptions options;
  options.cancellation = source.token();
  Recorded recorded;
  auto future = recorded.done.get_future();
  strategy.search("logs", json{{"query", {{"match_all", json::object()}}}}.dump(), options, {},
                  [&recorded](SearchOutcome outcome) { recorded.done.set_value(std::move(outcome)); });
  source.cancel();
  gate.set_value();
  REQUIRE(future.wait_for(30s) == std::future_status::ready);
  const auto outcome = future.get();
  CHECK(outcome.status == 400);
  CHECK(json::parse(outcome.body)["error"]["type"] == "task_cancelled_exception");
}

TEST_CASE("request errors end the search at once with the Elasticsearch error body") {
  EngineFixture f;
  auto engine = loadedEngine(f, 1, 5);
  Pools pools;
  LocalStrategy strategy(engine, pools.executors);
  Recorded missing;
  auto outcome = run(strategy, "nope", json::object(), {}, missing);
  CHECK(outcome.status == 404);
  CHECK(json::parse(outcome.body)["error"]["type"] == "index_not_found_exception");
  Recorded bad;
  outcome = run(strategy, "logs", json{{"query", {{"nope", json::object()}}}}, {}, bad);
  CHECK(outcome.status == 400);
  CHECK(json::parse(outcome.body)["error"]["reason"] == "unknown query [nope]");
}

namespace {

// A second strategy, to show dispatch by name: it answers with the expression it got.
class EchoStrategy final : public SearchStrategy {
 public:
  void search(const std::string& index, const std::string&, const SearchOptions& options, ProgressCallback,
              DoneCallback done) override {
    done({200, json{{"index", index}, {"user", options.user}}.dump()});
  }
};

}  // namespace

TEST_CASE("strategies are registered by name; the default comes from config; duplicates and unknown names are errors") {
  EngineFixture f;
  auto engine = loadedEngine(f, 2, 10);
  Pools pools;
  auto service = std::make_shared<SearchService>(pools.executors, "local");
  service->registerStrategy("local", std::make_shared<LocalStrategy>(engine, pools.executors));
  service->registerStrategy("echo", std::make_shared<EchoStrategy>());
  CHECK_THROWS_AS(service->registerStrategy("echo", std::make_shared<EchoStrategy>()), std::invalid_argument);
  CHECK(service->strategies() == std::vector<std::string>{"echo", "local"});

  const auto runTask = [&](SearchOptions options) {
    std::promise<SearchOutcome> result;
    auto future = result.get_future();
    orrery::startTask(service->search("logs", "{}", std::move(options), {}),
                      [&result](std::exception_ptr, std::optional<SearchOutcome> value) noexcept {
                        result.set_value(value.value_or(SearchOutcome{500, "task failed"}));
                      });
    REQUIRE(future.wait_for(30s) == std::future_status::ready);
    return future.get();
  };
  auto local = runTask({});
  CHECK(json::parse(local.body)["hits"]["total"]["value"] == 10);
  SearchOptions echo;
  echo.strategy = "echo";
  echo.user = "alice";
  CHECK(json::parse(runTask(echo).body) == json{{"index", "logs"}, {"user", "alice"}});
  SearchOptions unknown;
  unknown.strategy = "nope";
  auto error = runTask(unknown);
  CHECK(error.status == 400);
  CHECK(json::parse(error.body)["error"]["reason"] == "unknown search strategy [nope]");
}

TEST_CASE("a strategy is withdrawn when the host says its registrant failed; a later one of the same name stays") {
  Pools pools;
  orrery::test::RecordingLifecycle lifecycle;
  auto service = std::make_shared<SearchService>(pools.executors, "local", &lifecycle);
  service->registerStrategy("echo", std::make_shared<EchoStrategy>());
  REQUIRE(lifecycle.withdrawals.size() == 1);
  auto held = service->strategy("echo");  // a search running on it keeps it
  lifecycle.withdrawals[0]();
  CHECK(service->strategies().empty());
  CHECK(service->strategy("echo") == nullptr);
  CHECK(held.use_count() == 1);

  service->registerStrategy("echo", std::make_shared<EchoStrategy>());  // the name is free again
  lifecycle.withdrawals[0]();  // the old registration's withdrawal leaves the new one alone
  CHECK(service->strategies() == std::vector<std::string>{"echo"});
  lifecycle.withdrawals[1]();
  CHECK(service->strategies().empty());
}
