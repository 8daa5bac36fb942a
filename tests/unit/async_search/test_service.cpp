// The async search service over the real data search service, a real SQLite store and the
// host's executor pools. The strategy `held` finishes shards only when the test releases
// them, so partial results are asserted exactly; a manual clock drives expiry.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <future>
#include <set>

#include "async_search_service.hpp"
#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "core/storage/sqlite_backend.hpp"
#include "core/storage/storage_service.hpp"
#include "search_record.hpp"
#include "search_service.hpp"
#include "tests/support/run_on_pool.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace orrery;
using namespace orrery::async_search;
using namespace std::chrono_literals;
using json = nlohmann::json;
using orrery::test::runToEnd;

// A strategy whose searches (named by their index) finish shards when the test says.
class HeldStrategy final : public data::SearchStrategy {
 public:
  struct Held {
    int total = 0;
    int successful = 0;
    std::size_t padding = 0;
    bool cancelled = false;
    bool ended = false;
    std::vector<std::pair<std::string, std::string>> parameters;
    data::ProgressCallback progress;
    data::DoneCallback done;
    CancellationRegistration registration;
  };

  void search(const std::string& index, const std::string& body, const data::SearchOptions& options,
              data::ProgressCallback onProgress, data::DoneCallback onDone) override {
    const auto request = json::parse(body.empty() ? "{}" : body);
    auto held = std::make_shared<Held>();
    held->total = request.value("shards", 2);
    held->padding = request.value("padding", std::size_t{0});
    held->parameters = options.parameters;
    held->progress = std::move(onProgress);
    held->done = std::move(onDone);
    {
      std::lock_guard lock(mutex_);
      searches_[index] = held;
    }
    if (held->total == 0) {
      end(held, {200, response(*held, true).dump()});
      return;
    }
    held->registration = options.cancellation.onCancel([this, weak = std::weak_ptr<Held>(held)] {
      if (auto h = weak.lock()) {
        {
          std::lock_guard lock(mutex_);
          h->cancelled = true;
        }
        end(h, {400, R"({"error":{"type":"task_cancelled_exception","reason":"cancelled"},"status":400})"});
      }
    });
  }

  void release(const std::string& name, int shards) {
    auto held = find(name);
    json body;
    bool final = false;
    {
      std::lock_guard lock(mutex_);
      held->successful = std::min(held->total, held->successful + shards);
      final = held->successful == held->total;
      body = response(*held, final);
    }
    if (final) {
      end(held, {200, body.dump()});
    } else {
      held->progress(data::SearchProgress{held->total, held->successful, 0, 0, body.dump()});
    }
  }
  void fail(const std::string& name) {
    end(find(name), {503, R"({"error":{"type":"search_phase_execution_exception","reason":"all shards failed"},"status":503})"});
  }
  bool cancelled(const std::string& name) {
    auto held = find(name);
    std::lock_guard lock(mutex_);
    return held->cancelled;
  }
  std::shared_ptr<Held> find(const std::string& name) {
    std::lock_guard lock(mutex_);
    REQUIRE(searches_.count(name) == 1);
    return searches_.at(name);
  }

 private:
  static json response(const Held& held, bool final) {
    json body = {{"took", 7},
                 {"timed_out", false},
                 {"_shards", {{"total", held.total}, {"successful", held.successful}, {"skipped", 0}, {"failed", 0}}},
                 {"hits", {{"total", {{"value", 10 * held.successful}, {"relation", final ? "eq" : "gte"}}}, {"hits", json::array()}}},
                 {"aggregations", {{"shards", {{"value", held.successful}}}}}};
    if (final && held.padding) body["padding"] = std::string(held.padding, 'x');
    return body;
  }
  void end(const std::shared_ptr<Held>& held, data::SearchOutcome outcome) {
    data::DoneCallback done;
    {
      std::lock_guard lock(mutex_);
      if (held->ended) return;
      held->ended = true;
      done = std::move(held->done);
    }
    done(std::move(outcome));
  }

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Held>> searches_;
};

class QuietLogger final : public Logger {
 public:
  bool enabled(LogLevel) const override { return true; }
  void log(LogLevel, std::string_view, const LogFields&) override {}
  Logger& child(std::string_view) override { return *this; }
  const std::string& name() const override { return name_; }

 private:
  std::string name_ = "async_search";
};

// One host: executors, a store (shared by hosts built on the same file), the search
// service with `held`, and the async search service on a manual clock.
struct Host {
  explicit Host(const std::filesystem::path& file, ServiceSettings settings = {},
                std::shared_ptr<HeldStrategy> strategy = std::make_shared<HeldStrategy>())
      : storageService(std::make_shared<storage::SqliteBackend>(file)), held(std::move(strategy)) {
    store = storageService.clientFor("async_search", executors, nullptr);
    store->registerType({kDocumentType, 1, {}});
    store->registerIndex(kDocumentType, {"expirationTime"});
    storageService.applyMigrations();
    search->registerStrategy("held", held);
    service = std::make_shared<AsyncSearchService>(search, *store, executors, logger, settings,
                                                   [this] { return now.load(); });
    service->onFinalStored([this](const std::string& id) {
      std::lock_guard lock(mutex);
      stored.insert(id);
      changed.notify_all();
    });
  }
  ~Host() {
    // As the host does when it stops: searches still held end (cancelled), so nothing
    // waits on them past the test.
    service->stopAll(20s);
    executors.drain(std::chrono::steady_clock::now() + 20s);
    pool.stop();
  }

  AsyncSearchResult submit(std::string index, std::string body = "{}", std::chrono::milliseconds wait = 0ms,
                           bool keep = false, Caller caller = alice()) {
    SubmitRequest request{.index = std::move(index), .body = std::move(body), .strategy = "held",
                          .waitForCompletion = wait, .keepOnCompletion = keep};
    return runToEnd(service->submit(std::move(request), std::move(caller)));
  }
  AsyncSearchResult get(const std::string& id, GetOptions options = {}, Caller caller = alice()) {
    return runToEnd(service->get(id, options, std::move(caller)));
  }
  std::optional<storage::Document> document(const std::string& id) { return runToEnd(store->get(kDocumentType, id)); }
  std::size_t documents() {
    return runToEnd(store->find({.type = kDocumentType})).total;
  }
  // Waits (bounded) until the final record of `id` is stored and the search left memory.
  void waitStored(const std::string& id) {
    std::unique_lock lock(mutex);
    REQUIRE(changed.wait_for(lock, 20s, [&] { return stored.count(id) > 0; }));
  }

  static Caller alice() { return {"alice", "basic", "", {}}; }
  static Caller bob() { return {"bob", "basic", "", {}}; }

  executors::ExecutorPool pool{1, 2, nullptr};
  executors::PluginExecutors executors{pool, nullptr, nullptr};
  storage::StorageService storageService;
  std::unique_ptr<storage::Storage> store;
  std::shared_ptr<data::SearchService> search = std::make_shared<data::SearchService>(executors, "held");
  std::shared_ptr<HeldStrategy> held;
  QuietLogger logger;
  std::atomic<std::int64_t> now{1'800'000'000'000};
  std::shared_ptr<AsyncSearchService> service;
  std::mutex mutex;
  std::condition_variable changed;
  std::set<std::string> stored;
};

// A duration in the manual clock's unit.
std::int64_t ms(std::chrono::milliseconds duration) { return duration.count(); }

// The AsyncSearchError a task throws.
template <class T>
AsyncSearchError failure(Task<T> task) {
  try {
    runToEnd(std::move(task));
  } catch (const AsyncSearchError& error) {
    return error;
  }
  FAIL("no AsyncSearchError was thrown");
  return AsyncSearchError(0, "", "");
}

}  // namespace

TEST_CASE("a search that finishes within the wait is answered whole, without an id, and stores nothing") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto result = host.submit("quick", R"({"shards":0})", 5s);
  CHECK_FALSE(result.id);
  CHECK_FALSE(result.isRunning);
  CHECK_FALSE(result.isPartial);
  REQUIRE(result.response);
  CHECK(json::parse(*result.response)["hits"]["total"]["relation"] == "eq");
  CHECK(result.completionTimeMillis == result.startTimeMillis + 7);  // start + took
  CHECK(result.expirationTimeMillis == result.startTimeMillis + 5LL * 24 * 3600 * 1000);  // 5d by default
  CHECK(host.documents() == 0);
  CHECK(host.service->runningHere() == 0);
}

TEST_CASE("keep_on_completion stores a finished search, which get then answers from storage") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto result = host.submit("kept", R"({"shards":0})", 5s, true);
  REQUIRE(result.id);
  CHECK_FALSE(result.isRunning);
  CHECK(host.service->runningHere() == 0);
  const auto doc = host.document(*result.id);
  REQUIRE(doc);
  CHECK(json::parse(doc->body)["state"] == "completed");
  const auto again = host.get(*result.id);
  CHECK(again.response == result.response);
  CHECK(again.completionTimeMillis == result.completionTimeMillis);
}

TEST_CASE("a running search: an id at once, partial results that grow as shards finish, then the final response") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto first = host.submit("slow", R"({"shards":3})");
  REQUIRE(first.id);
  CHECK(first.isRunning);
  CHECK(first.isPartial);
  CHECK_FALSE(first.response);  // nothing reduced yet
  CHECK_FALSE(first.completionTimeMillis);
  REQUIRE(host.document(*first.id));  // stored before the id was handed out
  // batched_reduce_size reaches the strategy (5 unless the submit says otherwise).
  const auto& parameters = host.held->find("slow")->parameters;
  CHECK(std::find(parameters.begin(), parameters.end(), std::pair<std::string, std::string>("batched_reduce_size", "5")) !=
        parameters.end());

  host.held->release("slow", 1);
  auto poll = host.get(*first.id);
  CHECK(poll.isRunning);
  CHECK(poll.shards.successful == 1);
  CHECK(json::parse(*poll.response)["aggregations"]["shards"]["value"] == 1);
  host.held->release("slow", 1);
  poll = host.get(*first.id);
  CHECK(poll.shards.successful == 2);
  CHECK(json::parse(*poll.response)["hits"]["total"] == json{{"value", 20}, {"relation", "gte"}});
  const auto status = runToEnd(host.service->status(*first.id, std::nullopt, Host::alice()));
  CHECK(status.isRunning);
  CHECK(status.shards.successful == 2);
  CHECK_FALSE(status.response);

  host.held->release("slow", 1);
  host.waitStored(*first.id);
  const auto done = host.get(*first.id);  // from storage now
  CHECK_FALSE(done.isRunning);
  CHECK_FALSE(done.isPartial);
  CHECK(done.status == 200);
  CHECK(done.shards.successful == 3);
  CHECK(json::parse(*done.response)["hits"]["total"] == json{{"value", 30}, {"relation", "eq"}});
  CHECK(done.completionTimeMillis == done.startTimeMillis + 7);
  const auto finished = runToEnd(host.service->status(*first.id, std::nullopt, Host::alice()));
  CHECK_FALSE(finished.isRunning);
  CHECK(finished.status == 200);
}

TEST_CASE("get with a wait answers as soon as the search finishes") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto first = host.submit("waited", R"({"shards":1})");
  REQUIRE(first.id);
  // Released from another thread while get waits (up to a minute: it must not need it).
  auto started = std::chrono::steady_clock::now();
  std::thread releaser([&host] { host.held->release("waited", 1); });
  const auto done = host.get(*first.id, {.waitForCompletion = 60s});
  releaser.join();
  CHECK_FALSE(done.isRunning);
  CHECK(std::chrono::steady_clock::now() - started < 30s);
}

TEST_CASE("only the owner may get or delete; status is also open to superusers; others see a missing id") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto first = host.submit("owned", R"({"shards":2})");
  REQUIRE(first.id);
  const auto missing = failure(host.service->get(*first.id, {}, Host::bob()));
  CHECK(missing.status() == 404);
  CHECK(missing.type() == "resource_not_found_exception");
  CHECK(std::string(missing.what()) == *first.id);
  CHECK(failure(host.service->status(*first.id, std::nullopt, Host::bob())).status() == 404);
  CHECK(failure(host.service->remove(*first.id, Host::bob())).status() == 404);
  const Caller admin{"root", "basic", "", {"superuser"}};
  CHECK(failure(host.service->get(*first.id, {}, admin)).status() == 404);
  CHECK(runToEnd(host.service->status(*first.id, std::nullopt, admin)).isRunning);
  // The same after it finished and left memory.
  host.held->release("owned", 2);
  host.waitStored(*first.id);
  CHECK(failure(host.service->get(*first.id, {}, Host::bob())).status() == 404);
  CHECK_FALSE(runToEnd(host.service->status(*first.id, std::nullopt, admin)).isRunning);
  CHECK_FALSE(host.held->cancelled("owned"));
}

TEST_CASE("delete cancels a running search, its strategy sees the token cancelled, and the id is gone") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto first = host.submit("doomed", R"({"shards":5})");
  REQUIRE(first.id);
  runToEnd(host.service->remove(*first.id, Host::alice()));
  CHECK(host.held->cancelled("doomed"));
  CHECK_FALSE(host.document(*first.id));
  CHECK(failure(host.service->get(*first.id, {}, Host::alice())).status() == 404);
  CHECK(failure(host.service->remove(*first.id, Host::alice())).status() == 404);
}

TEST_CASE("malformed ids: 400 invalid id on get and status, 404 on delete, as Elasticsearch") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto bad = failure(host.service->get("not-an-id", {}, Host::alice()));
  CHECK(bad.status() == 400);
  CHECK(bad.type() == "illegal_argument_exception");
  CHECK(std::string(bad.what()) == "invalid id: [not-an-id]");
  CHECK(failure(host.service->status("x", std::nullopt, Host::alice())).status() == 400);
  CHECK(failure(host.service->remove("x", Host::alice())).status() == 404);
  CHECK(failure(host.service->get(std::string(32, 'A'), {}, Host::alice())).status() == 404);
}

TEST_CASE("an expired search answers 404 at once; the cleanup deletes stored ones and cancels running ones") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  SubmitRequest shortLived{.index = "short", .body = R"({"shards":2})", .strategy = "held",
                           .waitForCompletion = 0ms, .keepAlive = 1min};
  const auto running = runToEnd(host.service->submit(shortLived, Host::alice()));
  REQUIRE(running.id);
  const auto kept = host.submit("finished", R"({"shards":0})", 5s, true);
  REQUIRE(kept.id);
  const auto lasting = host.submit("lasting", R"({"shards":0})", 5s, true);  // 5d
  REQUIRE(lasting.id);
  CHECK(runToEnd(host.service->removeExpired()) == 0);

  host.now += ms(2min);
  CHECK(failure(host.service->get(*running.id, {}, Host::alice())).status() == 404);  // before any cleanup
  const auto lastingExpiry = host.get(*lasting.id, {.keepAlive = 10 * 24h}).expirationTimeMillis;  // extended
  CHECK(lastingExpiry == host.now + ms(10 * 24h));
  host.now += (5LL * 24 * 3600 * 1000);  // past the kept one's 5d, not the extended one's 10d
  CHECK(runToEnd(host.service->removeExpired()) >= 1);
  CHECK(host.held->cancelled("short"));
  CHECK_FALSE(host.document(*running.id));
  CHECK_FALSE(host.document(*kept.id));
  REQUIRE(host.document(*lasting.id));
  CHECK(json::parse(host.document(*lasting.id)->body)["expirationTime"] == lastingExpiry);  // persisted
}

TEST_CASE("keep_alive on get moves the expiry, and the stored document has it before the answer") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto first = host.submit("extended", R"({"shards":2})");
  REQUIRE(first.id);
  host.now += 1000;
  const auto extended = host.get(*first.id, {.keepAlive = 2h});
  CHECK(extended.expirationTimeMillis == host.now + ms(2h));
  CHECK(json::parse(host.document(*first.id)->body)["expirationTime"] == extended.expirationTimeMillis);
  const auto viaExtend = runToEnd(host.service->extend(*first.id, 3h, Host::alice()));
  CHECK(viaExtend.expirationTimeMillis == host.now + ms(3h));
  // The final write keeps the extended expiry.
  host.held->release("extended", 2);
  host.waitStored(*first.id);
  CHECK(host.get(*first.id).expirationTimeMillis == viaExtend.expirationTimeMillis);
  // Over the maximum: refused.
  CHECK(failure(host.service->extend(*first.id, 24h * 400, Host::alice())).type() == "action_request_validation_exception");
}

TEST_CASE("a final response over maxResponseSize is stored as Elasticsearch's failure naming the limit") {
  test::TempDir dir;
  Host host(dir.path() / "store.db", ServiceSettings{.maxResponseBytes = 4096});
  const auto first = host.submit("huge", R"({"shards":1,"padding":10000})");
  REQUIRE(first.id);
  host.held->release("huge", 1);
  host.waitStored(*first.id);
  const auto result = host.get(*first.id);
  CHECK_FALSE(result.isRunning);
  CHECK(result.isPartial);
  CHECK(result.status == 400);
  CHECK_FALSE(result.response);
  const auto error = json::parse(*result.error);
  CHECK(error["type"] == "illegal_argument_exception");
  CHECK(error["reason"].get<std::string>().find("larger than [4096] bytes") != std::string::npos);
  // Not stored (finished within the wait, not kept): the whole response, as _search.
  CHECK(host.submit("huge2", R"({"shards":0,"padding":10000})", 5s).response->size() > 10000);
}

TEST_CASE("a failed search answers with the failure's status inside the async envelope") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  const auto first = host.submit("failing", R"({"shards":2})");
  REQUIRE(first.id);
  host.held->release("failing", 1);
  host.held->fail("failing");
  host.waitStored(*first.id);
  const auto result = host.get(*first.id);
  CHECK(result.status == 503);
  CHECK_FALSE(result.isRunning);
  CHECK(result.isPartial);
  CHECK(json::parse(*result.error)["type"] == "search_phase_execution_exception");
  CHECK(result.response);  // the partial response it had reached
}

TEST_CASE("more than maxRunningPerUser running searches are refused with 429, counted per user") {
  test::TempDir dir;
  Host host(dir.path() / "store.db", ServiceSettings{.maxRunningPerUser = 2});
  const auto a1 = host.submit("a1");
  REQUIRE(a1.id);
  REQUIRE(host.submit("a2").id);
  const auto refused = failure(host.service->submit({.index = "a3", .strategy = "held", .waitForCompletion = 0ms},
                                                    Host::alice()));
  CHECK(refused.status() == 429);
  CHECK(refused.type() == "es_rejected_execution_exception");
  CHECK(host.submit("b1", "{}", 0ms, false, Host::bob()).id);
  host.held->release("a1", 2);  // one of alice's ends: she may start another
  host.waitStored(*a1.id);
  CHECK(host.submit("a4").id);
}

TEST_CASE("a stopping host records its running searches as stopped; resumeStopped runs them again, same id and expiry") {
  test::TempDir dir;
  std::string id;
  std::int64_t expiry = 0;
  {
    Host first(dir.path() / "store.db");
    const auto running = first.submit("survivor", R"({"shards":2})");
    REQUIRE(running.id);
    id = *running.id;
    expiry = running.expirationTimeMillis;
    first.service->stopAll(20s);
    CHECK(first.held->cancelled("survivor"));
    const auto stored = json::parse(first.document(id)->body);
    CHECK(stored["state"] == "stopped");
    CHECK(json::parse(stored["error"].get<std::string>())["type"] == "node_closed_exception");
    CHECK(failure(first.service->submit({.index = "late", .strategy = "held"}, Host::alice())).status() == 503);
  }
  Host second(dir.path() / "store.db");
  const auto stopped = second.get(id);
  CHECK_FALSE(stopped.isRunning);
  CHECK(stopped.isPartial);
  CHECK(stopped.status == 503);
  CHECK_FALSE(stopped.completionTimeMillis);  // Elasticsearch shows one only beside a response
  CHECK(runToEnd(second.service->resumeStopped()) == 1);
  CHECK(runToEnd(second.service->resumeStopped()) == 0);  // once
  const auto resumed = second.get(id);
  CHECK(resumed.isRunning);
  CHECK(resumed.expirationTimeMillis == expiry);
  second.held->release("survivor", 2);
  second.waitStored(id);
  const auto done = second.get(id);
  CHECK_FALSE(done.isRunning);
  CHECK(done.status == 200);
  CHECK(done.shards.successful == 2);
}

TEST_CASE("a keep_alive given through another host on the same store keeps the running search alive here") {
  test::TempDir dir;
  Host runner(dir.path() / "store.db");
  Host other(dir.path() / "store.db");
  SubmitRequest request{.index = "shared", .body = R"({"shards":2})", .strategy = "held",
                        .waitForCompletion = 0ms, .keepAlive = 1min};
  const auto first = runToEnd(runner.service->submit(request, Host::alice()));
  REQUIRE(first.id);
  // The other host does not run it: it answers from storage, and moves the expiry there.
  const auto extended = other.get(*first.id, {.keepAlive = 1h});
  CHECK(extended.isRunning);
  CHECK(extended.expirationTimeMillis == other.now + ms(1h));
  runner.now += ms(10min);  // past the expiry the runner had in memory
  const auto stillThere = runner.get(*first.id);
  CHECK(stillThere.isRunning);
  CHECK(stillThere.expirationTimeMillis == extended.expirationTimeMillis);
  CHECK_FALSE(runner.held->cancelled("shared"));
  CHECK(runToEnd(runner.service->removeExpired()) == 0);
  CHECK_FALSE(runner.held->cancelled("shared"));
}

TEST_CASE("a submitter that goes away during the wait cancels its search; nothing is left behind") {
  test::TempDir dir;
  Host host(dir.path() / "store.db");
  CancellationSource gone;
  SubmitRequest request{.index = "abandoned", .body = R"({"shards":2})", .strategy = "held",
                        .waitForCompletion = 60s, .clientGone = gone.token()};
  auto outcome = std::make_shared<std::promise<int>>();
  auto answered = outcome->get_future();
  // Started here: the strategy has the search when startTask returns (it runs to the wait).
  startTask(host.service->submit(request, Host::alice()),
            [outcome](std::exception_ptr error, std::optional<AsyncSearchResult>) noexcept {
              try {
                if (error) std::rethrow_exception(error);
                outcome->set_value(200);
              } catch (const AsyncSearchError& e) {
                outcome->set_value(e.status());
              } catch (...) {
                outcome->set_value(-1);
              }
            });
  CHECK_FALSE(host.held->cancelled("abandoned"));
  gone.cancel();
  REQUIRE(answered.wait_for(20s) == std::future_status::ready);
  CHECK(answered.get() == 400);
  CHECK(host.held->cancelled("abandoned"));
  CHECK(host.service->runningHere() == 0);
  CHECK(host.documents() == 0);
}
