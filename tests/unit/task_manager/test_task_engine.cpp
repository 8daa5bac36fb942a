// The task engine against a real SQLite store and real executors, driven step by step
// with a manual clock (pollOnce), or by its own poll loop where real time matters
// (timeouts, two engines racing).
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "core/storage/sqlite_backend.hpp"
#include "core/storage/storage_service.hpp"
#include "health.hpp"
#include "task_document.hpp"
#include "task_engine.hpp"
#include "tests/support/recording_lifecycle.hpp"
#include "tests/support/run_on_pool.hpp"
#include "tests/support/temp_dir.hpp"

// `prefix` then `n`, built by append: g++ 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text.append(std::to_string(n));
  return text;
}

namespace {

using namespace orrery::task_manager;
using namespace std::chrono_literals;
using orrery::test::runToEnd;
using Json = nlohmann::json;

constexpr auto kWait = 20s;

// What runners did, shared by every runner of one test.
struct Journal {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, int> runs;  // by task id
  std::vector<std::string> params;
  int cancelled = 0;
  // Runs of type "gated" wait until this many runs have started (0: never wait).
  orrery::CancellationSource gate;
  std::size_t gateOpensAt = 0;
  std::size_t started = 0;

  void ran(const TaskInstance& task) {
    std::lock_guard lock(mutex);
    ++runs[task.id];
    params.push_back(task.params);
    if (++started >= gateOpensAt) gate.cancel();
    changed.notify_all();
  }
  int count(const std::string& id) {
    std::lock_guard lock(mutex);
    return runs[id];
  }
};

class ScriptedRunner final : public TaskRunner {
 public:
  enum class Mode { succeed, fail, waitForCancel, gated };
  ScriptedRunner(Journal& journal, Mode mode, orrery::Executors& executors)
      : journal_(journal), mode_(mode), executors_(executors) {}

  orrery::Task<RunResult> run(RunContext context) override {
    journal_.ran(context.task);
    if (mode_ == Mode::fail) throw std::runtime_error("scripted failure");
    if (mode_ == Mode::waitForCancel) {
      // Waits (without blocking a thread) until the engine cancels the run.
      auto nap = executors_.sleep(std::chrono::hours(1), context.cancellation);
      co_await nap;
      std::lock_guard lock(journal_.mutex);
      ++journal_.cancelled;
      throw std::runtime_error("cancelled");
    }
    if (mode_ == Mode::gated) {
      auto wait = executors_.sleep(std::chrono::hours(1), journal_.gate.token());
      co_await wait;
    }
    const auto state = Json::parse(context.task.state);
    co_return RunResult{.state = Json{{"count", state.value("count", 0) + 1}}.dump()};
  }

 private:
  Journal& journal_;
  Mode mode_;
  orrery::Executors& executors_;
};

// Records log lines from any thread (runs log on I/O threads).
class LockedLogger final : public orrery::Logger {
 public:
  bool enabled(orrery::LogLevel) const override { return true; }
  void log(orrery::LogLevel level, std::string_view message, const orrery::LogFields&) override {
    std::lock_guard lock(mutex_);
    records_.emplace_back(level, std::string(message));
  }
  Logger& child(std::string_view) override { return *this; }
  const std::string& name() const override { return name_; }
  bool has(orrery::LogLevel level, std::string_view text) const {
    std::lock_guard lock(mutex_);
    for (const auto& [l, m] : records_) {
      if (l == level && m.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<orrery::LogLevel, std::string>> records_;
  std::string name_ = "task_manager";
};

struct ManualClock {
  std::atomic<std::int64_t> ms{1'800'000'000'000};  // 2027-01-15
  TimePoint now() const { return TimePoint(std::chrono::milliseconds(ms.load())); }
  void advance(std::chrono::milliseconds by) { ms += by.count(); }
};

// One host's task manager: its own connection to the store, executors and engine.
struct Host {
  Host(const std::filesystem::path& file, Journal& journal, std::string owner, EngineSettings settings,
       Clock clock = systemNow)
      : service(std::make_shared<orrery::storage::SqliteBackend>(file)) {
    storage = service.clientFor("task_manager", executors, nullptr);
    registerTaskStorage(*storage);
    service.applyMigrations();
    auto make = [&journal, this](ScriptedRunner::Mode mode) {
      return [&journal, this, mode](const TaskInstance&) {
        return std::make_unique<ScriptedRunner>(journal, mode, executors);
      };
    };
    definitions.registerTaskDefinitions({
        {.type = "noop", .title = "does nothing", .createRunner = make(ScriptedRunner::Mode::succeed)},
        {.type = "failing", .title = "always fails", .maxAttempts = 3, .createRunner = make(ScriptedRunner::Mode::fail)},
        {.type = "slow", .title = "runs until cancelled", .timeout = 100ms, .createRunner = make(ScriptedRunner::Mode::waitForCancel)},
        {.type = "single", .title = "one at a time", .maxConcurrency = 1, .createRunner = make(ScriptedRunner::Mode::succeed)},
        {.type = "gated", .title = "waits for the gate", .createRunner = make(ScriptedRunner::Mode::gated)},
    });
    settings.ownerId = std::move(owner);
    engine = std::make_shared<TaskEngine>(*storage, executors, definitions, logger, settings, std::move(clock));
    engine->onRunWritten([this] {
      std::lock_guard lock(mutex);
      ++written;
      changed.notify_all();
    });
  }
  ~Host() {
    stop.cancel();
    executors.drain(std::chrono::steady_clock::now() + kWait);
    pool.stop();
  }

  bool waitWritten(int count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, kWait, [&] { return written >= count; });
  }

  orrery::executors::ExecutorPool pool{2, 2, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  orrery::storage::StorageService service;
  std::unique_ptr<orrery::storage::Storage> storage;
  Definitions definitions;
  LockedLogger logger;
  std::shared_ptr<TaskEngine> engine;
  orrery::CancellationSource stop;
  std::mutex mutex;
  std::condition_variable changed;
  int written = 0;
};

EngineSettings manualSettings() { return EngineSettings{.capacity = 10, .pollInterval = 10ms, .ownerId = {}}; }

struct Fixture {
  orrery::test::TempDir dir;
  Journal journal;
  ManualClock clock;
  Host host{dir.path() / "store.db", journal, "host-a", manualSettings(), [this] { return clock.now(); }};
  TaskEngine& engine() { return *host.engine; }
};

TaskInstance stored(Host& host, const std::string& id) {
  auto task = runToEnd(host.engine->get(id));
  REQUIRE_MESSAGE(task.has_value(), "task " << id << " is gone");
  return *task;
}

}  // namespace

TEST_CASE("a one-off task runs once when due and is then removed") {
  Fixture f;
  auto task = runToEnd(f.engine().schedule({.id = "once", .taskType = "noop", .params = R"({"x":1})",
                                            .runAt = f.clock.now() + 1min}));
  CHECK(task.status == TaskStatus::idle);
  CHECK(runToEnd(f.engine().pollOnce()) == 0);  // not due yet
  f.clock.advance(1min);
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  CHECK(f.journal.count("once") == 1);
  CHECK(f.journal.params == std::vector<std::string>{R"({"x":1})"});
  CHECK_FALSE(runToEnd(f.engine().get("once")).has_value());
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  CHECK(f.journal.count("once") == 1);
}

// Every status a task document is written with, in order, recorded by a SQLite trigger
// on the store's own table (a second connection, as an operator's tool would have).
class StatusHistory {
 public:
  explicit StatusHistory(const std::filesystem::path& file) {
    REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
    exec("CREATE TABLE status_history (n INTEGER PRIMARY KEY, id TEXT, status TEXT, attempts INTEGER,"
         " started INTEGER);"
         "CREATE TRIGGER record_status AFTER UPDATE ON documents WHEN new.type = 'task' BEGIN"
         " INSERT INTO status_history (id, status, attempts, started) VALUES (new.id,"
         " json_extract(new.body, '$.status'), json_extract(new.body, '$.attempts'),"
         " json_extract(new.body, '$.startedAt') IS NOT NULL); END");
  }
  ~StatusHistory() { sqlite3_close(db_); }

  // "status/attempts/started" per write of task `id`.
  std::vector<std::string> of(const std::string& id) {
    sqlite3_stmt* select = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, "SELECT status, attempts, started FROM status_history WHERE id = ? ORDER BY n", -1,
                               &select, nullptr) == SQLITE_OK);
    sqlite3_bind_text(select, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::string> rows;
    while (sqlite3_step(select) == SQLITE_ROW) {
      std::string row = reinterpret_cast<const char*>(sqlite3_column_text(select, 0));
      row.append("/").append(std::to_string(sqlite3_column_int(select, 1)));
      row.append(sqlite3_column_int(select, 2) ? "/started" : "/-");
      rows.push_back(row);
    }
    sqlite3_finalize(select);
    return rows;
  }

 private:
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }
  sqlite3* db_ = nullptr;
};

TEST_CASE("a claim takes the lease as claiming, then marks the run running with its attempt and start") {
  Fixture f;
  StatusHistory history(f.dir.path() / "store.db");
  runToEnd(f.engine().schedule({.id = "every10s", .taskType = "noop", .schedule = TaskSchedule{.interval = "10s"}}));
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  // claiming: owner and lease, no attempt counted yet; running: started, attempt 1; the
  // outcome: idle again for the next interval.
  CHECK(history.of("every10s") == std::vector<std::string>{"claiming/0/-", "running/1/started", "idle/0/started"});

  // A host that died between the two steps leaves a claiming task: claimed again after
  // its lease, and the attempt it never made is not counted.
  TaskInstance orphan{.id = "orphan", .taskType = "failing", .runAt = f.clock.now(),
                      .retryAt = f.clock.now() + 1min, .attempts = 2, .status = TaskStatus::claiming,
                      .ownerId = "dead-host"};
  runToEnd(f.host.storage->create({kTaskType, "orphan", toBody(orphan), ""}));
  f.clock.advance(10s);
  CHECK(runToEnd(f.engine().pollOnce()) == 1);  // every10s again; the orphan's lease holds
  REQUIRE(f.host.waitWritten(2));
  f.clock.advance(1min);
  CHECK(runToEnd(f.engine().pollOnce()) == 2);
  REQUIRE(f.host.waitWritten(4));
  CHECK(f.journal.count("orphan") == 1);
  // Its third attempt (of 3) failed: failed, not retried.
  CHECK(history.of("orphan") == std::vector<std::string>{"claiming/2/-", "running/3/started", "failed/3/started"});
}

TEST_CASE("a recurring task's next run follows its interval, and its state carries over") {
  Fixture f;
  runToEnd(f.engine().schedule({.id = "every10s", .taskType = "noop", .schedule = TaskSchedule{.interval = "10s"}}));
  const auto start = f.clock.now();
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  auto task = stored(f.host, "every10s");
  CHECK(task.status == TaskStatus::idle);
  CHECK(*task.runAt == start + 10s);
  CHECK(task.state == R"({"count":1})");
  CHECK(task.attempts == 0);
  CHECK(task.ownerId.empty());
  f.clock.advance(9s);
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  f.clock.advance(1s);
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(2));
  task = stored(f.host, "every10s");
  CHECK(task.state == R"({"count":2})");
  CHECK(*task.runAt == start + 20s);
}

TEST_CASE("a recurring cron task's next run follows the cron expression in its zone") {
  Fixture f;
  runToEnd(f.engine().schedule({.id = "cron", .taskType = "noop",
                                .schedule = TaskSchedule{.cron = "0 * * * *", .timeZone = "Asia/Kolkata"}}));
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  const auto task = stored(f.host, "cron");
  // Kolkata is UTC+5:30: a full local hour is at :30 UTC.
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(task.runAt->time_since_epoch()).count();
  CHECK(minutes % 60 == 30);
  CHECK(*task.runAt > f.clock.now());
  CHECK(*task.runAt <= f.clock.now() + 1h);
}

TEST_CASE("a failing one-off task is retried with backoff, then marked failed") {
  Fixture f;
  runToEnd(f.engine().schedule({.id = "flaky", .taskType = "failing"}));
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  auto task = stored(f.host, "flaky");
  CHECK(task.status == TaskStatus::idle);
  CHECK(task.attempts == 1);
  CHECK(*task.runAt >= f.clock.now() + 30s);
  CHECK(*task.runAt <= f.clock.now() + 33s);
  f.clock.advance(29s);
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  f.clock.advance(5s);
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(2));
  task = stored(f.host, "flaky");
  CHECK(task.attempts == 2);
  CHECK(*task.runAt >= f.clock.now() + 54s);
  CHECK(*task.runAt <= f.clock.now() + 66s);
  f.clock.advance(70s);
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(3));
  task = stored(f.host, "flaky");
  CHECK(task.status == TaskStatus::failed);
  CHECK(task.attempts == 3);
  f.clock.advance(2h);
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  CHECK(f.journal.count("flaky") == 3);
  CHECK(f.host.logger.has(orrery::LogLevel::warn, "scripted failure"));
}

TEST_CASE("a run past its timeout is cancelled and counts as a failed attempt") {
  orrery::test::TempDir dir;
  Journal journal;
  Host host(dir.path() / "store.db", journal, "host-a", {.capacity = 10, .pollInterval = 20ms, .ownerId = {}});
  runToEnd(host.engine->schedule({.id = "stuck", .taskType = "slow"}));
  host.engine->startPolling(host.stop.token());
  REQUIRE(host.waitWritten(1));
  const auto task = stored(host, "stuck");
  CHECK(task.attempts == 1);
  CHECK(task.status == TaskStatus::idle);
  CHECK(*task.runAt >= systemNow() + 25s);  // retried after backoff, not at once
  std::lock_guard lock(journal.mutex);
  CHECK(journal.cancelled == 1);
  CHECK(host.logger.has(orrery::LogLevel::warn, "timed out after 100ms and was cancelled"));
}

TEST_CASE("a task of an unknown type is marked unrecognized, never dropped") {
  Fixture f;
  runToEnd(f.engine().schedule({.id = "mystery", .taskType = "from_a_removed_plugin"}));
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  const auto task = stored(f.host, "mystery");
  CHECK(task.status == TaskStatus::unrecognized);
  CHECK(task.taskType == "from_a_removed_plugin");
  // Not claimed again and not deleted by later polls.
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  CHECK(runToEnd(f.engine().get("mystery")).has_value());
}

TEST_CASE("a task claimed by a host that died is claimed again after its retryAt") {
  Fixture f;
  // What a dead host leaves behind: running, its owner, a lease until retryAt.
  TaskInstance orphan{.id = "orphan", .taskType = "noop", .runAt = f.clock.now(), .startedAt = f.clock.now(),
                      .retryAt = f.clock.now() + 5min, .attempts = 1, .status = TaskStatus::running,
                      .ownerId = "dead-host"};
  runToEnd(f.host.storage->create({kTaskType, "orphan", toBody(orphan), ""}));
  CHECK(runToEnd(f.engine().pollOnce()) == 0);  // the lease still holds
  f.clock.advance(5min);
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  CHECK(f.journal.count("orphan") == 1);
  CHECK_FALSE(runToEnd(f.engine().get("orphan")).has_value());

  // Out of attempts when its host died: failed, not run again.
  orphan.id = "exhausted";
  orphan.attempts = 3;
  orphan.retryAt = f.clock.now() - 1s;
  runToEnd(f.host.storage->create({kTaskType, "exhausted", toBody(orphan), ""}));
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  CHECK(stored(f.host, "exhausted").status == TaskStatus::failed);
}

TEST_CASE("capacity and maxConcurrency limit the runs claimed at once") {
  Fixture f;
  for (int i = 0; i < 15; ++i) {
    runToEnd(f.engine().schedule({.id = numbered("n", i), .taskType = "noop"}));
  }
  runToEnd(f.engine().schedule({.id = "s1", .taskType = "single"}));
  runToEnd(f.engine().schedule({.id = "s2", .taskType = "single"}));
  CHECK(runToEnd(f.engine().pollOnce()) == 10);  // capacity
  REQUIRE(f.host.waitWritten(10));
  CHECK(runToEnd(f.engine().pollOnce()) == 6);  // 5 noop + one of the singles
  REQUIRE(f.host.waitWritten(16));
  CHECK(runToEnd(f.engine().pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(17));
}

// Host B's handle on the shared store (the real one underneath), with one interleaving
// forced: just before B's first claim is written, host A polls and claims the due tasks
// that B has just read.
class RivalClaimsFirst final : public orrery::storage::Storage {
 public:
  RivalClaimsFirst(orrery::storage::Storage& inner, TaskEngine& rival) : inner_(inner), rival_(rival) {}
  std::size_t rivalClaimed = 0;

  void registerType(orrery::storage::TypeDefinition type) override { inner_.registerType(std::move(type)); }
  void registerIndex(std::string type, std::vector<std::string> fields) override {
    inner_.registerIndex(std::move(type), std::move(fields));
  }
  orrery::Task<orrery::storage::Document> create(orrery::storage::NewDocument document) override {
    return inner_.create(std::move(document));
  }
  orrery::Task<std::optional<orrery::storage::Document>> get(std::string type, std::string id) override {
    return inner_.get(std::move(type), std::move(id));
  }
  orrery::Task<orrery::storage::Document> update(std::string type, std::string id, std::string body,
                                                 std::uint64_t expectedVersion) override {
    return inner_.update(std::move(type), std::move(id), std::move(body), expectedVersion);
  }
  orrery::Task<void> remove(std::string type, std::string id, std::optional<std::uint64_t> expectedVersion) override {
    return inner_.remove(std::move(type), std::move(id), expectedVersion);
  }
  orrery::Task<orrery::storage::FindResult> find(orrery::storage::FindQuery query) override {
    return inner_.find(std::move(query));
  }
  orrery::Task<std::vector<orrery::storage::BulkItemResult>> bulk(
      std::vector<orrery::storage::BulkOperation> operations) override {
    const bool claims = !operations.empty() &&
                        operations.front().body.find(R"("status":"claiming")") != std::string::npos;
    if (claims && !raced_) {
      raced_ = true;
      auto poll = rival_.pollOnce();
      rivalClaimed = co_await std::move(poll);
    }
    auto write = inner_.bulk(std::move(operations));
    co_return co_await std::move(write);
  }

 private:
  orrery::storage::Storage& inner_;
  TaskEngine& rival_;
  bool raced_ = false;
};

TEST_CASE("a host that loses its claims to another claims the next due tasks in the same poll") {
  orrery::test::TempDir dir;
  Journal journal;
  ManualClock clock;
  auto settings = manualSettings();
  settings.capacity = 3;
  Host a(dir.path() / "shared.db", journal, "host-a", settings, [&clock] { return clock.now(); });
  Host b(dir.path() / "shared.db", journal, "host-b", settings, [&clock] { return clock.now(); });
  RivalClaimsFirst raced(*b.storage, *a.engine);
  settings.ownerId = "host-b";
  auto engine = std::make_shared<TaskEngine>(raced, b.executors, b.definitions, b.logger, settings,
                                             [&clock] { return clock.now(); });
  engine->onRunWritten([&b] {
    std::lock_guard lock(b.mutex);
    ++b.written;
    b.changed.notify_all();
  });
  for (int i = 0; i < 6; ++i) runToEnd(a.engine->schedule({.id = numbered("t", i), .taskType = "noop"}));
  // B reads t0..t5 and claims t0..t2; A claims those first; B then takes t3..t5.
  CHECK(runToEnd(engine->pollOnce()) == 3);
  CHECK(raced.rivalClaimed == 3);
  REQUIRE(a.waitWritten(3));
  REQUIRE(b.waitWritten(3));
  for (int i = 0; i < 6; ++i) CHECK(journal.count(numbered("t", i)) == 1);
  CHECK(b.logger.has(orrery::LogLevel::debug, "task 't3': outcome written"));
  CHECK(a.logger.has(orrery::LogLevel::debug, "task 't0': outcome written"));
}

TEST_CASE("contract: ensureScheduled, runSoon, remove, removeIfExists, bulkSchedule, get, fetch") {
  Fixture f;
  auto& engine = f.engine();
  const TaskInstance fixed{.id = "cleanup", .taskType = "noop", .schedule = TaskSchedule{.interval = "1h"},
                           .runAt = f.clock.now() + 1h};
  const auto first = runToEnd(engine.ensureScheduled(fixed));
  const auto again = runToEnd(engine.ensureScheduled(fixed));
  CHECK(again.id == "cleanup");
  CHECK(runToEnd(engine.fetch({.taskType = "noop"})).total == 1);  // idempotent
  // A shorter interval takes effect: the next run moves closer.
  auto shorter = fixed;
  shorter.schedule = TaskSchedule{.interval = "5m"};
  const auto updated = runToEnd(engine.ensureScheduled(shorter));
  CHECK(updated.schedule->interval == "5m");
  CHECK(*updated.runAt == f.clock.now() + 5min);
  CHECK(*first.runAt == f.clock.now() + 1h);

  runToEnd(engine.runSoon("cleanup"));
  CHECK(runToEnd(engine.pollOnce()) == 1);
  REQUIRE(f.host.waitWritten(1));
  CHECK_THROWS_AS(runToEnd(engine.runSoon("nope")), orrery::storage::StorageError);

  const auto many = runToEnd(engine.bulkSchedule({{.id = "b1", .taskType = "noop", .runAt = f.clock.now() + 1h},
                                                  {.id = "b2", .taskType = "failing", .runAt = f.clock.now() + 1h}}));
  CHECK(many.size() == 2);
  CHECK(runToEnd(engine.fetch({.taskType = "failing"})).tasks.at(0).id == "b2");
  CHECK(runToEnd(engine.fetch({.status = TaskStatus::idle})).total == 3);
  CHECK(runToEnd(engine.fetch({.limit = 1})).tasks.size() == 1);
  CHECK_THROWS_AS(runToEnd(engine.schedule({.id = "b1", .taskType = "noop"})), orrery::storage::StorageError);

  runToEnd(engine.remove("b1"));
  CHECK_FALSE(runToEnd(engine.get("b1")).has_value());
  CHECK_THROWS_AS(runToEnd(engine.remove("b1")), orrery::storage::StorageError);
  CHECK(runToEnd(engine.removeIfExists("b2")));
  CHECK_FALSE(runToEnd(engine.removeIfExists("b2")));
}

TEST_CASE("invalid schedules are refused with a message naming the part at fault") {
  Fixture f;
  auto& engine = f.engine();
  CHECK_THROWS_WITH(runToEnd(engine.schedule({.taskType = "noop", .schedule = TaskSchedule{.interval = "0s"}})),
                    "interval '0s': must be greater than zero");
  CHECK_THROWS_WITH(runToEnd(engine.schedule({.taskType = "noop", .schedule = TaskSchedule{.cron = "0 25 * * *"}})),
                    "cron expression '0 25 * * *': hour field '25' is out of range 0-23");
  CHECK_THROWS_WITH(runToEnd(engine.schedule({.taskType = "noop",
                                              .schedule = TaskSchedule{.cron = "0 * * * *", .timeZone = "Nowhere/City"}})),
                    "unknown time zone 'Nowhere/City' (expected an IANA name such as 'Europe/Berlin')");
  CHECK_THROWS_WITH(runToEnd(engine.schedule({.taskType = "noop", .params = "[1]"})),
                    doctest::Contains("params must be a JSON object"));
  CHECK(runToEnd(engine.fetch({})).total == 0);
}

TEST_CASE("two engines on one store run each task exactly once") {
  orrery::test::TempDir dir;
  Journal journal;
  const EngineSettings settings{.capacity = 5, .pollInterval = 5ms, .ownerId = {}};
  Host a(dir.path() / "shared.db", journal, "host-a", settings);
  Host b(dir.path() / "shared.db", journal, "host-b", settings);
  constexpr int kTasks = 200;
  // The first runs end only once both hosts are full (5 runs each): a host that could not
  // claim beside the other would leave the gate shut and the test would time out.
  journal.gateOpensAt = 2 * settings.capacity;
  std::vector<TaskInstance> tasks;
  for (int i = 0; i < kTasks; ++i) tasks.push_back({.id = numbered("t", i), .taskType = "gated"});
  runToEnd(a.engine->bulkSchedule(std::move(tasks)));
  a.engine->startPolling(a.stop.token());
  b.engine->startPolling(b.stop.token());
  {
    std::unique_lock lock(a.mutex, std::defer_lock);
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      int done = 0;
      {
        std::lock_guard la(a.mutex);
        done += a.written;
      }
      {
        std::lock_guard lb(b.mutex);
        done += b.written;
      }
      if (done >= kTasks) break;
      std::unique_lock wait(journal.mutex);
      journal.changed.wait_for(wait, 50ms);
    }
  }
  std::lock_guard lock(journal.mutex);
  CHECK(journal.runs.size() == kTasks);
  int twice = 0;
  for (const auto& [id, count] : journal.runs) twice += count != 1;
  CHECK(twice == 0);
  // Both hosts did some of the work (at least the runs that opened the gate).
  CHECK(a.written >= 5);
  CHECK(b.written >= 5);
  CHECK(a.written + b.written == kTasks);
}

TEST_CASE("health figures after a known workload") {
  Fixture f;
  auto& engine = f.engine();
  for (int i = 0; i < 3; ++i) runToEnd(engine.schedule({.id = numbered("ok", i), .taskType = "noop"}));
  runToEnd(engine.schedule({.id = "bad", .taskType = "failing"}));
  runToEnd(engine.schedule({.id = "later", .taskType = "noop", .schedule = TaskSchedule{.interval = "30s"},
                            .runAt = f.clock.now() + 1h}));
  runToEnd(engine.schedule({.id = "ghost", .taskType = "unknown_type"}));
  f.clock.advance(2s);  // every due task is 2 s late when claimed
  CHECK(runToEnd(engine.pollOnce()) == 4);
  REQUIRE(f.host.waitWritten(4));
  const auto report = runToEnd(healthReport(f.host.engine));
  const auto& stats = report.at("stats");
  CHECK(report.at("id") == "host-a");
  CHECK(report.at("status") == "OK");
  CHECK(stats.at("configuration").at("capacity") == 10);
  CHECK(stats.at("configuration").at("poll_interval_ms") == 10);
  const auto& workload = stats.at("workload");
  CHECK(workload.at("count") == 3);  // bad (retry pending), later, ghost
  CHECK(workload.at("task_types").at("failing").at("status").at("idle") == 1);
  CHECK(workload.at("task_types").at("unknown_type").at("status").at("unrecognized") == 1);
  CHECK(workload.at("task_types").at("noop").at("count") == 1);
  CHECK(workload.at("recurring") == 1);
  CHECK(workload.at("overdue") == 0);
  const auto& runtime = stats.at("runtime");
  CHECK(runtime.at("drift_ms").at("p50") == 2000.0);
  CHECK(runtime.at("drift_ms").at("p99") == 2000.0);
  CHECK(runtime.at("run_duration_ms").at("p99").get<double>() >= 0.0);
  CHECK(runtime.at("result_frequency_percent").at("noop").at("success") == 100.0);
  CHECK(runtime.at("result_frequency_percent").at("failing").at("retry") == 100.0);
  CHECK(runtime.at("last_successful_poll").is_string());
  const auto& capacity = stats.at("capacity_estimation");
  CHECK(capacity.at("observed_throughput_per_minute") == 4.0);
  // Two runs a minute for the 30 s task, plus the retry of "bad" due within the minute.
  CHECK(capacity.at("required_throughput_per_minute") == 3.0);
}

TEST_CASE("scheduling a task due now and runSoon wake the poller at once") {
  orrery::test::TempDir dir;
  Journal journal;
  // A poll interval of an hour: only a wake-up can run these tasks within the test.
  Host host(dir.path() / "store.db", journal, "host-a", {.capacity = 10, .pollInterval = 1h, .ownerId = {}});
  runToEnd(host.engine->schedule({.id = "later", .taskType = "noop", .schedule = TaskSchedule{.interval = "1d"},
                                  .runAt = systemNow() + 24h}));
  host.engine->startPolling(host.stop.token());
  runToEnd(host.engine->schedule({.id = "now", .taskType = "noop"}));
  REQUIRE(host.waitWritten(1));
  CHECK(journal.count("now") == 1);
  runToEnd(host.engine->runSoon("later"));
  REQUIRE(host.waitWritten(2));
  CHECK(journal.count("later") == 1);
}

TEST_CASE("task types are withdrawn when the host says the plugin that registered them failed") {
  auto definitions = std::make_shared<Definitions>();
  orrery::test::RecordingLifecycle lifecycle;
  definitions->trackWith(&lifecycle);
  auto factory = [](const TaskInstance&) -> std::unique_ptr<TaskRunner> { return nullptr; };
  definitions->registerTaskDefinitions({{.type = "a", .createRunner = factory}, {.type = "b", .createRunner = factory}});
  definitions->registerTaskDefinitions({{.type = "c", .createRunner = factory}});
  REQUIRE(lifecycle.withdrawals.size() == 2);  // one per registering call
  const auto held = definitions->find("a");    // a run already claimed keeps its definition
  lifecycle.withdrawals[0]();
  CHECK(definitions->types() == std::vector<std::string>{"c"});
  CHECK(definitions->find("a") == nullptr);
  REQUIRE(held != nullptr);
  CHECK(held->type == "a");
  // Failing setup registrations (a duplicate) are not tracked.
  CHECK_THROWS_AS(definitions->registerTaskDefinitions({{.type = "c", .createRunner = factory}}), std::invalid_argument);
  CHECK(lifecycle.withdrawals.size() == 2);
}

TEST_CASE("a due task whose type was withdrawn is marked unrecognized, not run") {
  Fixture f;
  runToEnd(f.engine().schedule({.id = "orphaned", .taskType = "noop", .runAt = f.clock.now()}));
  CHECK(f.host.definitions.withdraw({"noop"}) == 1);
  CHECK(runToEnd(f.engine().pollOnce()) == 0);
  CHECK(stored(f.host, "orphaned").status == TaskStatus::unrecognized);
  CHECK(f.journal.count("orphaned") == 0);
}
