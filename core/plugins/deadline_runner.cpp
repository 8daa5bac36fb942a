#include "core/plugins/deadline_runner.hpp"

#include "core/plugins/exception_text.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace orrery::plugins {

// The worker's state is shared with its thread, so an abandoned thread that returns
// from a hung call later still finds valid memory.
struct DeadlineRunner::Worker {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable done;
  std::optional<std::function<void()>> job;
  bool finished = false;
  std::exception_ptr error;
  bool quit = false;

  static void loop(const std::shared_ptr<Worker>& self) {
    std::unique_lock lock(self->mutex);
    while (true) {
      self->wake.wait(lock, [&] { return self->quit || self->job.has_value(); });
      if (!self->job) return;  // quit with nothing to do
      auto job = std::move(*self->job);
      self->job.reset();
      lock.unlock();
      std::exception_ptr error;
      try {
        job();
      } catch (...) {
        error = std::current_exception();
      }
      job = nullptr;
      lock.lock();
      self->error = error;
      self->finished = true;
      self->done.notify_all();
      if (self->quit) return;
    }
  }
};

namespace {
std::shared_ptr<DeadlineRunner::Worker> startWorker() {
  auto worker = std::make_shared<DeadlineRunner::Worker>();
  std::thread([worker] { DeadlineRunner::Worker::loop(worker); }).detach();
  return worker;
}

void stopWorker(const std::shared_ptr<DeadlineRunner::Worker>& worker) {
  std::lock_guard lock(worker->mutex);
  worker->quit = true;
  worker->wake.notify_all();
}

}  // namespace

DeadlineRunner::DeadlineRunner() = default;

DeadlineRunner::~DeadlineRunner() {
  if (worker_) stopWorker(worker_);
}

CallOutcome DeadlineRunner::run(std::function<void()> call, std::chrono::milliseconds deadline,
                                std::chrono::milliseconds warnAfter, const std::function<void()>& onSlow) {
  if (!worker_) worker_ = startWorker();
  const auto started = std::chrono::steady_clock::now();
  std::unique_lock lock(worker_->mutex);
  worker_->finished = false;
  worker_->error = nullptr;
  worker_->job = std::move(call);
  worker_->wake.notify_all();

  const auto isDone = [&] { return worker_->finished; };
  bool finished = warnAfter < deadline && worker_->done.wait_until(lock, started + warnAfter, isDone);
  if (!finished && warnAfter < deadline) {
    lock.unlock();
    if (onSlow) onSlow();
    lock.lock();
  }
  finished = finished || worker_->done.wait_until(lock, started + deadline, isDone);

  CallOutcome outcome;
  outcome.elapsed = std::chrono::steady_clock::now() - started;
  if (!finished) {
    // Leave the worker inside the hung call; it quits if the call ever returns.
    worker_->quit = true;
    lock.unlock();
    worker_.reset();
    ++abandoned_;
    outcome.kind = CallOutcome::Kind::timedOut;
    outcome.error = "did not return within " + std::to_string(deadline.count()) + "ms";
    return outcome;
  }
  if (worker_->error) {
    outcome.kind = CallOutcome::Kind::threw;
    outcome.error = exceptionText(worker_->error);
    worker_->error = nullptr;
  }
  return outcome;
}

}  // namespace orrery::plugins
