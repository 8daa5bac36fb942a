// tools/bench/tasks: the task manager's throughput and drift on one host, beside the raw
// SQLite transaction rate of the same disk measured in the same run.
//
//   baseline   N single-row INSERT transactions on a fresh file with the storage's
//              pragmas (WAL, synchronous=FULL): commits per second of this machine.
//   throughput N no-op tasks due at once: claimed, run and completed tasks per second.
//   drift      tasks due at a steady rate below capacity: start time minus due time.
//
// Usage: tasks_bench [TASKS] [CAPACITY] [DRIFT_RATE_PER_S]
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "core/storage/sqlite_backend.hpp"
#include "core/storage/storage_service.hpp"
#include "definitions.hpp"
#include "task_document.hpp"
#include "task_engine.hpp"

// `prefix` then `n`, built by append: g++ 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text.append(std::to_string(n));
  return text;
}

namespace {

using namespace orrery::task_manager;
using Steady = std::chrono::steady_clock;

class QuietLogger final : public orrery::Logger {
 public:
  bool enabled(orrery::LogLevel level) const override { return level >= orrery::LogLevel::warn; }
  void log(orrery::LogLevel level, std::string_view message, const orrery::LogFields&) override {
    if (enabled(level)) std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
  }
  Logger& child(std::string_view) override { return *this; }
  const std::string& name() const override { return name_; }

 private:
  std::string name_ = "bench";
};

class NoopRunner final : public TaskRunner {
 public:
  orrery::Task<RunResult> run(RunContext) override { co_return RunResult{}; }
};

std::filesystem::path tempFolder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "orrery-bench-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

// Commits per second of single-row transactions with the storage's durability settings.
double sqliteTransactionsPerSecond(const std::filesystem::path& file, int count) {
  sqlite3* db = nullptr;
  check(sqlite3_open(file.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID",
                     nullptr, nullptr, nullptr),
        db, "setup");
  sqlite3_stmt* insert = nullptr;
  check(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, '{\"n\":1}')", -1, &insert, nullptr), db, "prepare");
  const auto start = Steady::now();
  for (int i = 0; i < count; ++i) {
    const std::string id = numbered("row-", i);
    sqlite3_bind_text(insert, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    check(sqlite3_step(insert), db, "insert");  // autocommit: one transaction each
    sqlite3_reset(insert);
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return count / seconds;
}

struct Bench {
  explicit Bench(const std::filesystem::path& file, unsigned capacity)
      : service(std::make_shared<orrery::storage::SqliteBackend>(file)) {
    storage = service.clientFor("task_manager", executors, nullptr);
    registerTaskStorage(*storage);
    service.applyMigrations();
    definitions.registerTaskDefinitions(
        {{.type = "noop", .title = "no-op", .createRunner = [](const TaskInstance&) { return std::make_unique<NoopRunner>(); }}});
    engine = std::make_shared<TaskEngine>(*storage, executors, definitions, logger,
                                          EngineSettings{.capacity = capacity, .pollInterval = std::chrono::milliseconds(500),
                                                         .ownerId = "bench"});
    engine->onRunWritten([this] {
      std::lock_guard lock(mutex);
      ++done;
      changed.notify_all();
    });
  }
  ~Bench() {
    stop.cancel();
    executors.drain(Steady::now() + std::chrono::seconds(10));
    pool.stop();
  }
  void scheduleAll(std::vector<TaskInstance> tasks) {
    std::mutex m;
    std::condition_variable cv;
    bool finished = false;
    std::exception_ptr failure;
    orrery::startTask(engine->bulkSchedule(std::move(tasks)),
                      [&](std::exception_ptr error, std::optional<std::vector<TaskInstance>>) noexcept {
                        std::lock_guard lock(m);
                        failure = error;
                        finished = true;
                        cv.notify_all();
                      });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return finished; });
    if (failure) std::rethrow_exception(failure);
  }
  void waitFor(int count) {
    std::unique_lock lock(mutex);
    if (!changed.wait_for(lock, std::chrono::minutes(5), [&] { return done >= count; })) {
      throw std::runtime_error("tasks did not complete within 5 minutes");
    }
  }

  orrery::executors::ExecutorPool pool{2, 4, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  orrery::storage::StorageService service;
  std::unique_ptr<orrery::storage::Storage> storage;
  Definitions definitions;
  QuietLogger logger;
  std::shared_ptr<TaskEngine> engine;
  orrery::CancellationSource stop;
  std::mutex mutex;
  std::condition_variable changed;
  int done = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 5000;
  const unsigned capacity = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 10;
  const int driftRate = argc > 3 ? std::atoi(argv[3]) : 200;
  const auto folder = tempFolder();
  try {
    const double baseline = sqliteTransactionsPerSecond(folder / "baseline.db", 2000);

    double throughput = 0;
    {
      Bench bench(folder / "throughput.db", capacity);
      std::vector<TaskInstance> all;
      for (int i = 0; i < tasks; ++i) all.push_back({.id = numbered("t", i), .taskType = "noop"});
      bench.scheduleAll(std::move(all));
      const auto start = Steady::now();
      bench.engine->startPolling(bench.stop.token());
      bench.waitFor(tasks);
      throughput = tasks / std::chrono::duration<double>(Steady::now() - start).count();
    }

    MetricsSnapshot drift;
    const int driftTasks = driftRate * 5;
    {
      Bench bench(folder / "drift.db", capacity);
      bench.engine->startPolling(bench.stop.token());
      // Due at a steady rate over 5 s, starting 1 s from now (scheduling is not timed).
      const auto first = systemNow() + std::chrono::seconds(1);
      std::vector<TaskInstance> all;
      for (int i = 0; i < driftTasks; ++i) {
        all.push_back({.id = numbered("d", i), .taskType = "noop",
                       .runAt = first + std::chrono::milliseconds(1000LL * i / driftRate)});
      }
      bench.scheduleAll(std::move(all));
      bench.waitFor(driftTasks);
      drift = bench.engine->metrics().snapshot(systemNow());
    }

    std::printf("tools/bench/tasks: %d no-op tasks, capacity %u, poll interval 500 ms, SQLite WAL synchronous=FULL\n",
                tasks, capacity);
    std::printf("%-44s %12s\n", "figure", "value");
    std::printf("%-44s %12.0f\n", "baseline: raw SQLite commits/s (1 row each)", baseline);
    std::printf("%-44s %12.0f   target >= 1000\n", "tasks/s claimed-run-completed", throughput);
    std::printf("%-44s %12.2f\n", "ratio tasks/s : SQLite commits/s", throughput / baseline);
    std::printf("drift: %d tasks due at %d/s\n", driftTasks, driftRate);
    std::printf("%-44s %12.1f\n", "drift p50 ms", drift.driftP50.value_or(-1));
    std::printf("%-44s %12.1f   target < 100\n", "drift p99 ms", drift.driftP99.value_or(-1));
    std::printf("%-44s %12.1f\n", "run duration p99 ms", drift.durationP99.value_or(-1));
    std::printf("(Kibana's published figure: about 200 tasks per minute per instance = 3.3/s)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tasks_bench: %s\n", e.what());
    std::filesystem::remove_all(folder);
    return 1;
  }
  std::filesystem::remove_all(folder);
  return 0;
}
