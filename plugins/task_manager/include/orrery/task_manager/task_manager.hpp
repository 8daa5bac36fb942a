// The task_manager plugin's contract: what other plugins use to run background work.
//
// In setup, a dependent registers task definitions (a type, limits, and a runner factory):
//
//   auto tasks = ctx.plugin<task_manager::TaskManagerSetup>("task_manager");
//   tasks->registerTaskDefinitions({{.type = "reports:generate", .title = "Generate a report",
//                                    .createRunner = [](const task_manager::TaskInstance&) {
//                                      return std::make_unique<ReportRunner>(); }}});
//
// From start on, it schedules task instances, stored as documents of type "task" in the
// host's storage, so they survive restarts and are shared by every host on one store:
//
//   auto tasks = ctx.plugin<task_manager::TaskManagerStart>("task_manager");
//   co_await tasks->ensureScheduled({.id = "reports:cleanup", .taskType = "reports:cleanup",
//                                    .schedule = task_manager::TaskSchedule{.interval = "1h"}});
//
// A run is claimed with a lease (an atomic conditional update of the task document), so
// two hosts never run one task at once; a host that dies mid-run loses its lease at
// retryAt and another host runs the task again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <orrery/cancellation.hpp>
#include <orrery/task.hpp>

namespace orrery::task_manager {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// idle: waits for its runAt. claiming: a host took the lease (ownerId, retryAt) and is
// about to start it. running: started (startedAt, attempts counted). failed: out of
// attempts. unrecognized: no definition of its type on the host that claimed it.
// A claiming or running task whose retryAt has passed lost its host and is claimed again.
enum class TaskStatus { idle, claiming, running, failed, unrecognized };

inline const char* statusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::idle: return "idle";
    case TaskStatus::claiming: return "claiming";
    case TaskStatus::running: return "running";
    case TaskStatus::failed: return "failed";
    case TaskStatus::unrecognized: return "unrecognized";
  }
  return "idle";
}

// A recurring task's schedule: `interval` ("10s", "5m", "1h", "1d") or a 5-field
// `cron` expression evaluated in `timeZone` (an IANA name, default UTC).
struct TaskSchedule {
  std::optional<std::string> interval{};
  std::optional<std::string> cron{};
  std::optional<std::string> timeZone{};
};

// A task document. Callers fill id (optional for schedule: one is generated), taskType,
// params, state, schedule, runAt (default now) and enabled; the rest is the manager's.
struct TaskInstance {
  std::string id{};
  std::string taskType{};
  std::string params = "{}";  // JSON object, given to every run
  std::string state = "{}";   // JSON object, carried from one run to the next
  std::optional<TaskSchedule> schedule{};
  std::optional<TimePoint> runAt{};
  std::optional<TimePoint> scheduledAt{};
  std::optional<TimePoint> startedAt{};
  std::optional<TimePoint> retryAt{};
  unsigned attempts = 0;
  TaskStatus status = TaskStatus::idle;
  std::string ownerId{};  // the host running it, while it runs
  bool enabled = true;
  std::uint64_t version = 0;  // of the stored document
};

struct RunContext {
  const TaskInstance& task;
  // Cancelled when the run passes its timeout or the host stops.
  CancellationToken cancellation;
};

struct RunResult {
  // The task's new state (JSON object); empty keeps the old one.
  std::optional<std::string> state{};
  // For a one-off task: run again at this time instead of finishing.
  std::optional<TimePoint> runAt{};
};

// One run of a task. run() throwing is a failed attempt; cancel() is called when the run
// passes its timeout (the token in RunContext is cancelled too).
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual Task<RunResult> run(RunContext context) = 0;
  virtual void cancel() {}
};

struct TaskDefinition {
  std::string type{};
  std::string title{};
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  unsigned maxAttempts = 3;
  // Runs of this type at once on one host; nullopt: only the host's capacity limits it.
  std::optional<unsigned> maxConcurrency{};
  std::function<std::unique_ptr<TaskRunner>(const TaskInstance&)> createRunner{};
};

struct TaskManagerSetup {
  static constexpr std::string_view kContractId = "task_manager.setup@1";
  virtual ~TaskManagerSetup() = default;
  // Throws std::invalid_argument for a duplicate or empty type, zero maxAttempts or
  // timeout, or a missing runner factory.
  virtual void registerTaskDefinitions(std::vector<TaskDefinition> definitions) = 0;
};

struct FetchQuery {
  std::optional<std::string> taskType{};
  std::optional<TaskStatus> status{};
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct FetchResult {
  std::vector<TaskInstance> tasks{};
  std::size_t total = 0;
};

// Errors: an invalid schedule or params throw std::invalid_argument naming the part at
// fault; an existing id on schedule and a missing one on remove/runSoon throw
// orrery::storage::StorageError (conflict, not_found).
struct TaskManagerStart {
  static constexpr std::string_view kContractId = "task_manager.start@1";
  virtual ~TaskManagerStart() = default;

  virtual Task<TaskInstance> schedule(TaskInstance task) = 0;
  // Schedules the task with this fixed id unless it exists; if it exists, its schedule
  // and params are updated (idempotent, e.g. called in every start()).
  virtual Task<TaskInstance> ensureScheduled(TaskInstance task) = 0;
  virtual Task<std::vector<TaskInstance>> bulkSchedule(std::vector<TaskInstance> tasks) = 0;
  // Runs an idle task now and wakes the poller.
  virtual Task<void> runSoon(std::string id) = 0;
  virtual Task<void> remove(std::string id) = 0;
  // Returns whether a task was removed.
  virtual Task<bool> removeIfExists(std::string id) = 0;
  virtual Task<std::optional<TaskInstance>> get(std::string id) = 0;
  virtual Task<FetchResult> fetch(FetchQuery query) = 0;
};

}  // namespace orrery::task_manager
