#include "task_engine.hpp"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <random>
#include <stdexcept>

#include "backoff.hpp"
#include "schedule.hpp"
#include "task_document.hpp"

namespace orrery::task_manager {

namespace {

using storage::BulkOperation;
using storage::Filter;

std::string newId() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) {
    id += kHex[engine() & 15];
    if (i == 7 || i == 11 || i == 15 || i == 19) id += '-';
  }
  return id;
}

Schedule scheduleOf(const TaskSchedule& s) { return Schedule::parse(s.interval, s.cron, s.timeZone); }

double millisBetween(TimePoint from, TimePoint to) { return static_cast<double>((to - from).count()); }

std::string errorText(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an unknown exception";
  }
}

}  // namespace

TimePoint systemNow() { return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()); }


// The lease: the timeout plus a grace of two polls and a second, so that this host
// cancels and writes back an overdue run before anyone may take the task over.
TimePoint TaskEngine::leaseEnd(TimePoint from, const TaskDefinition& definition) const {
  return from + definition.timeout + 2 * settings_.pollInterval + std::chrono::seconds(1);
}

TaskEngine::TaskEngine(storage::Storage& storage, Executors& executors, const Definitions& definitions, Logger& logger,
                       EngineSettings settings, Clock clock)
    : storage_(storage),
      executors_(executors),
      definitions_(definitions),
      logger_(logger),
      settings_(std::move(settings)),
      clock_(std::move(clock)) {}

std::size_t TaskEngine::inFlight() const {
  std::lock_guard lock(mutex_);
  return inFlight_;
}

void TaskEngine::onRunWritten(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  runWritten_ = std::move(listener);
}

void TaskEngine::wake() {
  std::shared_ptr<CancellationSource> sleeping;
  {
    std::lock_guard lock(mutex_);
    wakeRequested_ = true;
    sleeping = sleeping_;
  }
  if (sleeping) sleeping->cancel();
}

void TaskEngine::startPolling(CancellationToken stop) {
  stop_ = stop;
  auto self = shared_from_this();
  startTask(pollLoop(stop), [self](std::exception_ptr error) noexcept {
    if (error) self->logger_.error("the task poll loop ended: " + errorText(error));
  });
}

Task<void> TaskEngine::pollLoop(CancellationToken stop) {
  auto self = shared_from_this();
  // At stop, cancel every run in flight: they end as failed attempts, retried later.
  auto onStop = [self] {
    std::vector<ActiveRun> runs;
    {
      std::lock_guard lock(self->mutex_);
      for (auto& [id, run] : self->active_) runs.push_back(run);
    }
    for (auto& run : runs) {
      run.cancel->cancel();
      run.runner->cancel();
    }
    self->wake();
  };
  auto registration = stop.onCancel(onStop);
  while (!stop.cancelled()) {
    try {
      auto poll = pollOnce();
      co_await std::move(poll);
    } catch (const std::exception& e) {
      logger_.warn(std::string("task poll failed, trying again in the next interval: ") + e.what());
    }
    auto sleeping = std::make_shared<CancellationSource>();
    {
      std::lock_guard lock(mutex_);
      if (wakeRequested_) {
        wakeRequested_ = false;
        continue;
      }
      sleeping_ = sleeping;
    }
    auto relay = stop.onCancel([sleeping] { sleeping->cancel(); });
    auto delay = settings_.pollInterval;
    {
      std::lock_guard lock(mutex_);
      if (nextDue_) {
        const auto untilDue = std::chrono::duration_cast<std::chrono::milliseconds>(*nextDue_ - clock_());
        delay = std::clamp(untilDue, std::chrono::milliseconds(0), delay);
      }
    }
    const auto wakeToken = sleeping->token();
    co_await executors_.sleep(delay, wakeToken);
    std::lock_guard lock(mutex_);
    sleeping_.reset();
    wakeRequested_ = false;
  }
}

void TaskEngine::cancelOverdueRuns() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<ActiveRun> overdue;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, run] : active_) {
      if (run.deadline <= now && !run.timedOut->exchange(true)) overdue.push_back(run);
    }
  }
  for (auto& run : overdue) {
    run.cancel->cancel();
    run.runner->cancel();
  }
}

Task<std::size_t> TaskEngine::pollOnce() {
  auto self = shared_from_this();
  cancelOverdueRuns();
  std::size_t available = 0;
  std::map<std::string, unsigned> byType;
  {
    std::lock_guard lock(mutex_);
    available = settings_.capacity > inFlight_ ? settings_.capacity - inFlight_ : 0;
    byType = inFlightByType_;
  }
  const auto now = clock_();
  const std::int64_t nowMs = epochMillis(now);
  if (available == 0) {
    metrics_.recordPoll(now);
    co_return 0;
  }
  // Due idle tasks, oldest first, plus running ones whose lease (retryAt) has expired:
  // their host died or stalled. A few extra rows cover unknown types and lost races.
  storage::FindQuery dueQuery{.type = kTaskType,
                              .filters = {Filter::eq("status", "idle"), Filter::eq("enabled", true),
                                          Filter::lte("runAt", nowMs)},
                              .sort = {{"runAt"}},
                              .limit = available + 16};
  auto findDue = storage_.find(std::move(dueQuery));
  auto due = co_await std::move(findDue);
  storage::FindQuery expiredQuery{.type = kTaskType,
                                  .filters = {Filter::in("status", {std::string("running"), std::string("claiming")}),
                                              Filter::lte("retryAt", nowMs)},
                                  .sort = {{"retryAt"}},
                                  .limit = available};
  auto findExpired = storage_.find(std::move(expiredQuery));
  auto expired = co_await std::move(findExpired);
  // The next task due after now: the loop sleeps until then if that is sooner than the
  // poll interval, so a task is started close to its runAt (drift), not up to an interval late.
  storage::FindQuery nextQuery{.type = kTaskType,
                               .filters = {Filter::eq("status", "idle"), Filter::eq("enabled", true),
                                           Filter::gt("runAt", nowMs)},
                               .sort = {{"runAt"}},
                               .limit = 1};
  auto findNext = storage_.find(std::move(nextQuery));
  const auto next = co_await std::move(findNext);
  {
    std::optional<TimePoint> nextDue;
    if (!next.documents.empty()) {
      try {
        nextDue = fromDocument(next.documents.front()).runAt;
      } catch (const std::exception&) {
      }
    }
    std::lock_guard lock(mutex_);
    nextDue_ = nextDue;
  }
  metrics_.recordPoll(now);

  // Due idle tasks first, oldest first, then expired leases.
  std::vector<const storage::Document*> candidates;
  for (const auto& document : due.documents) candidates.push_back(&document);
  for (const auto& document : expired.documents) candidates.push_back(&document);
  std::size_t nextCandidate = 0;
  std::vector<std::pair<TaskInstance, DefinitionRef>> starting;  // claims won
  // A claim that is not ours (lost to another host, removed, or the store failed) frees
  // its capacity again.
  auto release = [this](const TaskInstance& task) {
    std::lock_guard lock(mutex_);
    --inFlight_;
    --inFlightByType_[task.taskType];
  };
  // Of two hosts that read the same due tasks, the one that writes second loses them; it
  // then claims from further down its list (a few rounds), so hosts sharing a store share
  // the work rather than one of them waiting out the other's lock.
  for (int round = 0; round < 3 && starting.size() < available && nextCandidate < candidates.size(); ++round) {
    std::vector<BulkOperation> ops;
    std::vector<std::optional<std::pair<TaskInstance, DefinitionRef>>> claims;  // per op
    std::size_t claimed = starting.size();
    auto consider = [&](const storage::Document& document) {
      TaskInstance task;
      try {
        task = fromDocument(document);
      } catch (const std::exception& e) {
        logger_.warn(std::string("skipping a task document that cannot be read: ") + e.what());
        return;
      }
      auto definition = definitions_.find(task.taskType);
      if (!definition) {
        // Never dropped: kept, visible in health and fetch, run again once the type exists.
        logger_.warn("task '" + task.id + "' has the unknown type '" + task.taskType + "': marked unrecognized");
        task.status = TaskStatus::unrecognized;
        task.ownerId.clear();
        ops.push_back({BulkOperation::Kind::update, kTaskType, task.id, toBody(task), "", task.version});
        claims.emplace_back(std::nullopt);
        return;
      }
      {
        std::lock_guard lock(mutex_);
        if (active_.count(task.id) != 0) return;  // still running here (being cancelled)
      }
      if (definition->maxConcurrency && byType[task.taskType] >= *definition->maxConcurrency) return;
      if (task.status != TaskStatus::idle && !task.schedule && task.attempts >= definition->maxAttempts) {
        logger_.warn("task '" + task.id + "' lost its host during its last attempt: marked failed");
        task.status = TaskStatus::failed;
        task.ownerId.clear();
        task.retryAt.reset();
        ops.push_back({BulkOperation::Kind::update, kTaskType, task.id, toBody(task), "", task.version});
        claims.emplace_back(std::nullopt);
        return;
      }
      const auto dueAt = task.status == TaskStatus::idle ? task.runAt.value_or(now) : task.retryAt.value_or(now);
      // Step one of two: take the lease. Conditional on the version read, so of two hosts
      // claiming at once one wins; the lease is the run's, so a host that dies before or
      // during the run loses the task only after retryAt.
      task.status = TaskStatus::claiming;
      task.ownerId = settings_.ownerId;
      task.retryAt = leaseEnd(now, *definition);
      ops.push_back({BulkOperation::Kind::update, kTaskType, task.id, toBody(task), "", task.version});
      task.scheduledAt = task.scheduledAt ? task.scheduledAt : dueAt;
      task.runAt = dueAt;
      claims.emplace_back(std::make_pair(std::move(task), definition));
      ++byType[claims.back()->first.taskType];
      ++claimed;
    };
    while (nextCandidate < candidates.size() && claimed < available) consider(*candidates[nextCandidate++]);
    if (ops.empty()) break;
    {
      std::lock_guard lock(mutex_);
      for (const auto& claim : claims) {
        if (!claim) continue;
        ++inFlight_;
        ++inFlightByType_[claim->first.taskType];
      }
    }
    std::vector<storage::BulkItemResult> results;
    std::exception_ptr failure;
    try {
      auto write = storage_.bulk(std::move(ops));
      results = co_await std::move(write);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      for (const auto& claim : claims) {
        if (claim) release(claim->first);
      }
      if (starting.empty()) std::rethrow_exception(failure);
      break;  // start what earlier rounds won
    }
    bool lost = false;
    for (std::size_t i = 0; i < claims.size(); ++i) {
      if (!claims[i]) continue;
      auto& [task, definition] = *claims[i];
      if (!results[i].ok()) {
        // Another host claimed it first (conflict) or it was removed: not ours to run.
        release(task);
        --byType[task.taskType];
        lost = true;
        continue;
      }
      task.version = results[i].document->version;
      starting.emplace_back(std::move(task), definition);
    }
    if (!lost) break;
  }
  if (starting.empty()) co_return 0;

  // Step two: the claimed tasks start now, written as running with their start time and
  // one more attempt, in one batch (Kibana's markTaskAsRunning, for the whole claim).
  std::vector<BulkOperation> startOps;
  const auto startedAt = clock_();
  for (auto& [task, definition] : starting) {
    task.status = TaskStatus::running;
    task.startedAt = startedAt;
    task.retryAt = leaseEnd(startedAt, *definition);
    task.attempts += 1;
    startOps.push_back({BulkOperation::Kind::update, kTaskType, task.id, toBody(task), "", task.version});
  }
  std::vector<storage::BulkItemResult> startResults;
  try {
    auto write = storage_.bulk(std::move(startOps));
    startResults = co_await std::move(write);
  } catch (...) {
    // The claims stay until their lease ends; then this or another host takes them again.
    for (const auto& [task, definition] : starting) release(task);
    throw;
  }
  std::size_t started = 0;
  for (std::size_t i = 0; i < starting.size(); ++i) {
    auto& [task, definition] = starting[i];
    if (!startResults[i].ok()) {
      release(task);
      continue;
    }
    task.version = startResults[i].document->version;
    ++started;
    startTask(runClaimed(std::move(task), definition), [self](std::exception_ptr error) noexcept {
      if (error) self->logger_.error("a task run could not be completed: " + errorText(error));
    });
  }
  co_return started;
}

Task<void> TaskEngine::runClaimed(TaskInstance task, DefinitionRef definition) {
  auto self = shared_from_this();
  Finished finished{task, definition, false, {}, {}, 0, 0};
  finished.driftMs = millisBetween(task.runAt.value_or(*task.startedAt), *task.startedAt);
  const auto started = std::chrono::steady_clock::now();
  ActiveRun run{started + definition->timeout, std::make_shared<CancellationSource>(), nullptr,
                std::make_shared<std::atomic<bool>>(false)};
  try {
    run.runner = std::shared_ptr<TaskRunner>(definition->createRunner(task));
    if (!run.runner) throw std::runtime_error("createRunner returned no runner");
    {
      std::lock_guard lock(mutex_);
      active_[task.id] = run;
    }
    if (stop_.cancelled()) run.cancel->cancel();
    RunContext context{task, run.cancel->token()};
    auto running = run.runner->run(context);
    finished.result = co_await std::move(running);
    finished.ok = true;
  } catch (const std::exception& e) {
    finished.error = e.what();
  } catch (...) {
    finished.error = "an unknown exception";
  }
  {
    std::lock_guard lock(mutex_);
    active_.erase(task.id);
  }
  if (run.timedOut->load()) {
    finished.ok = false;
    finished.error = "timed out after " + std::to_string(definition->timeout.count()) + "ms and was cancelled";
  }
  finished.durationMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!finished.ok) logger_.warn("task '" + task.id + "' (" + task.taskType + ") failed: " + finished.error);
  finish(std::move(finished));
}

BulkOperation TaskEngine::outcomeOf(const Finished& f) const {
  const auto now = clock_();
  TaskInstance task = f.task;
  task.ownerId.clear();
  task.retryAt.reset();
  if (f.ok && f.result.state) task.state = *f.result.state;
  if (task.schedule) {
    // Recurring: the next run follows the schedule whatever this one did.
    try {
      const auto schedule = scheduleOf(*task.schedule);
      auto next = schedule.interval ? *task.startedAt + *schedule.interval : schedule.next(now);
      if (next < now) next = now;
      task.runAt = next;
      task.scheduledAt = next;
      task.status = TaskStatus::idle;
      if (f.ok) task.attempts = 0;
    } catch (const std::exception& e) {
      logger_.error("task '" + task.id + "' has an invalid schedule: " + e.what());
      task.status = TaskStatus::failed;
    }
    return {BulkOperation::Kind::update, kTaskType, task.id, toBody(task), "", f.task.version};
  }
  if (f.ok) {
    if (!f.result.runAt) return {BulkOperation::Kind::remove, kTaskType, task.id, "", "", f.task.version};
    task.runAt = *f.result.runAt;
    task.scheduledAt = task.runAt;
    task.attempts = 0;
    task.status = TaskStatus::idle;
  } else if (task.attempts < f.definition->maxAttempts) {
    task.runAt = now + retryDelay(task.attempts);
    task.status = TaskStatus::idle;
  } else {
    task.status = TaskStatus::failed;
  }
  return {BulkOperation::Kind::update, kTaskType, task.id, toBody(task), "", f.task.version};
}

void TaskEngine::finish(Finished finished) {
  bool startFlush = false;
  {
    std::lock_guard lock(mutex_);
    finished_.push_back(std::move(finished));
    if (!flushing_) flushing_ = startFlush = true;
  }
  if (!startFlush) return;
  auto self = shared_from_this();
  startTask(flushFinished(), [self](std::exception_ptr error) noexcept {
    if (error) self->logger_.error("writing task outcomes failed: " + errorText(error));
  });
}

// Group commit: outcomes that arrive while a write is in progress go in the next one, so
// many short runs cost one storage transaction instead of one each.
Task<void> TaskEngine::flushFinished() {
  auto self = shared_from_this();
  while (true) {
    std::vector<Finished> batch;
    {
      std::lock_guard lock(mutex_);
      if (finished_.empty()) {
        flushing_ = false;
        break;
      }
      batch.swap(finished_);
    }
    std::vector<BulkOperation> ops;
    for (const auto& f : batch) ops.push_back(outcomeOf(f));
    std::vector<storage::BulkItemResult> results;
    std::string failure;
    try {
      auto write = storage_.bulk(std::move(ops));
      results = co_await std::move(write);
    } catch (const std::exception& e) {
      // The lease expires and the task runs again: at-least-once, never lost.
      failure = e.what();
      logger_.error("could not write the outcome of " + std::to_string(batch.size()) + " task runs: " + failure);
    }
    const auto now = clock_();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& f = batch[i];
      if (i < results.size() && !results[i].ok()) {
        logger_.warn("task '" + f.task.id + "': its outcome was not written (" + results[i].message +
                     "); another host took it over");
      }
      Outcome outcome = Outcome::success;
      if (!f.ok) {
        outcome = (f.task.schedule || f.task.attempts < f.definition->maxAttempts) ? Outcome::retry : Outcome::failure;
      }
      metrics_.recordRun(f.task.taskType, f.driftMs, f.durationMs, outcome, now);
      if (logger_.enabled(LogLevel::debug)) logger_.debug("task '" + f.task.id + "': outcome written");
    }
    std::function<void()> listener;
    {
      std::lock_guard lock(mutex_);
      for (const auto& f : batch) {
        --inFlight_;
        --inFlightByType_[f.task.taskType];
      }
      listener = runWritten_;
    }
    if (listener) {
      for (std::size_t i = 0; i < batch.size(); ++i) listener();
    }
    // Capacity came free and more tasks may be due: poll now rather than at the interval.
    wake();
  }
}

TaskInstance TaskEngine::prepareNew(TaskInstance task) const {
  if (task.taskType.empty()) throw std::invalid_argument("a task needs a taskType");
  if (task.id.empty()) task.id = newId();
  if (task.schedule) scheduleOf(*task.schedule);  // throws ScheduleError naming the part
  for (const auto* text : {&task.params, &task.state}) {
    const auto parsed = nlohmann::json::parse(*text, nullptr, false);
    if (!parsed.is_object()) {
      throw std::invalid_argument("task '" + task.id + "': " + (text == &task.params ? "params" : "state") +
                                  " must be a JSON object");
    }
  }
  const auto now = clock_();
  if (!task.runAt) task.runAt = now;
  task.scheduledAt = task.runAt;
  task.startedAt.reset();
  task.retryAt.reset();
  task.attempts = 0;
  task.status = TaskStatus::idle;
  task.ownerId.clear();
  return task;
}

Task<TaskInstance> TaskEngine::schedule(TaskInstance task) {
  auto self = shared_from_this();
  task = prepareNew(std::move(task));
  auto create = storage_.create({kTaskType, task.id, toBody(task), ""});
  const auto document = co_await std::move(create);
  task.version = document.version;
  if (task.enabled && *task.runAt <= clock_()) wake();
  co_return task;
}

Task<std::vector<TaskInstance>> TaskEngine::bulkSchedule(std::vector<TaskInstance> tasks) {
  auto self = shared_from_this();
  std::vector<BulkOperation> ops;
  for (auto& task : tasks) {
    task = prepareNew(std::move(task));
    ops.push_back({BulkOperation::Kind::create, kTaskType, task.id, toBody(task), "", std::nullopt});
  }
  auto write = storage_.bulk(std::move(ops));
  const auto results = co_await std::move(write);
  std::vector<TaskInstance> scheduled;
  std::string failures;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].ok()) {
      tasks[i].version = results[i].document->version;
      scheduled.push_back(tasks[i]);
    } else {
      failures += (failures.empty() ? "" : "; ") + results[i].message;
    }
  }
  wake();
  if (!failures.empty()) {
    throw storage::StorageError(storage::ErrorKind::conflict,
                                std::to_string(results.size() - scheduled.size()) + " of " +
                                    std::to_string(results.size()) + " tasks were not scheduled: " + failures);
  }
  co_return scheduled;
}

Task<TaskInstance> TaskEngine::ensureScheduled(TaskInstance task) {
  auto self = shared_from_this();
  if (task.id.empty()) throw std::invalid_argument("ensureScheduled needs a fixed task id");
  auto fresh = prepareNew(task);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto read = storage_.get(kTaskType, task.id);
    auto existing = co_await std::move(read);
    if (!existing) {
      try {
        auto create = storage_.create({kTaskType, fresh.id, toBody(fresh), ""});
        const auto document = co_await std::move(create);
        fresh.version = document.version;
        if (fresh.enabled && *fresh.runAt <= clock_()) wake();
        co_return fresh;
      } catch (const storage::StorageError& e) {
        if (e.kind() != storage::ErrorKind::conflict) throw;
        continue;  // created by someone else meanwhile: update it instead
      }
    }
    auto current = fromDocument(*existing);
    // Keep the run state; take the caller's schedule, params and enabled flag.
    current.params = fresh.params;
    current.enabled = fresh.enabled;
    const bool intervalChanged = !(current.schedule.has_value() == fresh.schedule.has_value() &&
                                   (!fresh.schedule || (current.schedule->interval == fresh.schedule->interval &&
                                                        current.schedule->cron == fresh.schedule->cron &&
                                                        current.schedule->timeZone == fresh.schedule->timeZone)));
    current.schedule = fresh.schedule;
    if (intervalChanged && current.status == TaskStatus::idle && current.schedule) {
      const auto next = scheduleOf(*current.schedule).next(clock_());
      if (!current.runAt || next < *current.runAt) current.runAt = next;
    }
    try {
      auto write = storage_.update(kTaskType, current.id, toBody(current), current.version);
      const auto document = co_await std::move(write);
      current.version = document.version;
      co_return current;
    } catch (const storage::StorageError& e) {
      if (e.kind() != storage::ErrorKind::conflict) throw;
    }
  }
  throw storage::StorageError(storage::ErrorKind::conflict,
                              "task '" + task.id + "' kept changing while ensureScheduled tried to update it");
}

Task<void> TaskEngine::runSoon(std::string id) {
  auto self = shared_from_this();
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto read = storage_.get(kTaskType, id);
    const auto existing = co_await std::move(read);
    if (!existing) throw storage::StorageError(storage::ErrorKind::notFound, "task '" + id + "' does not exist");
    auto task = fromDocument(*existing);
    if (task.status != TaskStatus::idle && task.status != TaskStatus::failed) {
      throw storage::StorageError(storage::ErrorKind::conflict, "task '" + id + "' is " + statusName(task.status) +
                                                                    ", not idle: it cannot be run now");
    }
    task.status = TaskStatus::idle;
    task.runAt = clock_();
    try {
      auto write = storage_.update(kTaskType, id, toBody(task), task.version);
      co_await std::move(write);
      wake();
      co_return;
    } catch (const storage::StorageError& e) {
      if (e.kind() != storage::ErrorKind::conflict) throw;
    }
  }
  throw storage::StorageError(storage::ErrorKind::conflict, "task '" + id + "' kept changing during runSoon");
}

Task<void> TaskEngine::remove(std::string id) {
  auto self = shared_from_this();
  auto erase = storage_.remove(kTaskType, std::move(id), std::nullopt);
  co_await std::move(erase);
}

Task<bool> TaskEngine::removeIfExists(std::string id) {
  auto self = shared_from_this();
  try {
    auto erase = storage_.remove(kTaskType, std::move(id), std::nullopt);
    co_await std::move(erase);
    co_return true;
  } catch (const storage::StorageError& e) {
    if (e.kind() != storage::ErrorKind::notFound) throw;
  }
  co_return false;
}

Task<std::optional<TaskInstance>> TaskEngine::get(std::string id) {
  auto self = shared_from_this();
  auto read = storage_.get(kTaskType, std::move(id));
  const auto document = co_await std::move(read);
  if (!document) co_return std::nullopt;
  co_return fromDocument(*document);
}

Task<FetchResult> TaskEngine::fetch(FetchQuery query) {
  auto self = shared_from_this();
  storage::FindQuery find{.type = kTaskType, .sort = {{"runAt"}}, .offset = query.offset, .limit = query.limit};
  if (query.taskType) find.filters.push_back(Filter::eq("taskType", *query.taskType));
  if (query.status) find.filters.push_back(Filter::eq("status", std::string(statusName(*query.status))));
  auto pending = storage_.find(std::move(find));
  const auto found = co_await std::move(pending);
  FetchResult result;
  result.total = found.total;
  for (const auto& document : found.documents) result.tasks.push_back(fromDocument(document));
  co_return result;
}

}  // namespace orrery::task_manager
