// The heart of the task manager on one host: claims due tasks with a lease, runs them
// within the capacity, writes their outcome (next run, retry with backoff, failure), and
// implements the start contract. Its poll loop sleeps for the poll interval, or less
// when woken (a task due now was scheduled, runSoon, or a run finished while more work
// may wait).
//
// pollOnce() is public so tests can drive the engine step by step with a manual clock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "definitions.hpp"
#include "orrery/executors.hpp"
#include "orrery/logger.hpp"
#include "orrery/storage.hpp"
#include "orrery/task_manager/task_manager.hpp"
#include "run_metrics.hpp"

namespace orrery::task_manager {

struct EngineSettings {
  unsigned capacity = 10;
  std::chrono::milliseconds pollInterval{500};
  std::string ownerId;  // this host's id in task documents
};

using Clock = std::function<TimePoint()>;
TimePoint systemNow();

class TaskEngine final : public TaskManagerStart, public std::enable_shared_from_this<TaskEngine> {
 public:
  TaskEngine(storage::Storage& storage, Executors& executors, const Definitions& definitions, Logger& logger,
             EngineSettings settings, Clock clock = systemNow);

  const EngineSettings& settings() const { return settings_; }
  RunMetrics& metrics() { return metrics_; }
  const Definitions& definitions() const { return definitions_; }
  storage::Storage& storage() { return storage_; }
  TimePoint now() const { return clock_(); }

  // Starts the poll loop; it ends when `stop` is cancelled.
  void startPolling(CancellationToken stop);
  // Claims what is due and starts those runs; returns how many were claimed.
  Task<std::size_t> pollOnce();
  // Runs claimed and not yet written back.
  std::size_t inFlight() const;
  void wake();
  // Called after each run's outcome was written (tests wait on it).
  void onRunWritten(std::function<void()> listener);

  // TaskManagerStart
  Task<TaskInstance> schedule(TaskInstance task) override;
  Task<TaskInstance> ensureScheduled(TaskInstance task) override;
  Task<std::vector<TaskInstance>> bulkSchedule(std::vector<TaskInstance> tasks) override;
  Task<void> runSoon(std::string id) override;
  Task<void> remove(std::string id) override;
  Task<bool> removeIfExists(std::string id) override;
  Task<std::optional<TaskInstance>> get(std::string id) override;
  Task<FetchResult> fetch(FetchQuery query) override;

 private:
  // A run that ended, waiting for its outcome to be written.
  struct Finished {
    TaskInstance task;  // as claimed (its version is the claim's)
    DefinitionRef definition;
    bool ok = false;
    RunResult result;
    std::string error;
    double driftMs = 0;
    double durationMs = 0;
  };
  struct ActiveRun {
    std::chrono::steady_clock::time_point deadline;
    std::shared_ptr<CancellationSource> cancel;
    std::shared_ptr<TaskRunner> runner;
    std::shared_ptr<std::atomic<bool>> timedOut;
  };
  // Cancels runs past their timeout; run by every poll, so a timeout is enforced within
  // one poll interval (no long timers that would hold up the plugin's stop).
  void cancelOverdueRuns();
  TaskInstance prepareNew(TaskInstance task) const;
  TimePoint leaseEnd(TimePoint from, const TaskDefinition& definition) const;
  Task<void> pollLoop(CancellationToken stop);
  Task<void> runClaimed(TaskInstance task, DefinitionRef definition);
  void finish(Finished finished);
  Task<void> flushFinished();
  storage::BulkOperation outcomeOf(const Finished& finished) const;

  storage::Storage& storage_;
  Executors& executors_;
  const Definitions& definitions_;
  Logger& logger_;
  EngineSettings settings_;
  Clock clock_;
  RunMetrics metrics_;

  mutable std::mutex mutex_;
  std::size_t inFlight_ = 0;
  std::map<std::string, unsigned> inFlightByType_;
  std::map<std::string, ActiveRun> active_;  // by task id
  std::vector<Finished> finished_;  // waiting for the next batched write
  bool flushing_ = false;
  bool wakeRequested_ = false;
  std::optional<TimePoint> nextDue_;  // earliest idle runAt after the last poll
  std::shared_ptr<CancellationSource> sleeping_;  // cancelled by wake()
  std::function<void()> runWritten_;
  CancellationToken stop_;
};

}  // namespace orrery::task_manager
