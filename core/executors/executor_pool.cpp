#include "core/executors/executor_pool.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace orrery::executors {

namespace asio = boost::asio;

namespace {
// Asio destroys queued, never-invoked handlers in execution_context::shutdown(), which is
// protected; this exposes it so stop() can drop queued work at a chosen moment.
struct Io : asio::io_context {
  using asio::io_context::shutdown;
};

std::size_t slot(orrery::Pool pool) {
  const auto index = static_cast<std::size_t>(pool);
  // A pool this host does not know (a newer plugin's) runs on the general one.
  return index < kPoolCount ? index : 0;
}

// A pending timer; the counter goes down when the timer's handler is done or dropped.
class TimerTicket {
 public:
  explicit TimerTicket(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  ~TimerTicket() { --count_; }
  TimerTicket(const TimerTicket&) = delete;
  TimerTicket& operator=(const TimerTicket&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

}  // namespace

struct ExecutorPool::Impl {
  Impl(unsigned ioThreads, const PoolSizes& sizes, TaskErrorHandler handler)
      : work(asio::make_work_guard(io)), onError(std::move(handler)) {
    for (std::size_t i = 0; i < kPoolCount; ++i) {
      pools[i] = std::make_unique<BoundedPool>(std::string(orrery::poolName(kPools[i])), sizes[i].threads,
                                               sizes[i].queueSize, onError);
    }
    for (unsigned i = 0; i < ioThreads; ++i) {
      threads.emplace_back([this] { io.run(); });
    }
  }

  // Wraps a task so that an escaping exception is reported, never propagated into Asio.
  std::function<void()> guarded(std::function<void()> task) {
    return [this, task = std::move(task)] {
      try {
        task();
      } catch (...) {
        if (onError) onError(std::current_exception());
      }
    };
  }

  Io io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::array<std::unique_ptr<BoundedPool>, kPoolCount> pools;
  std::vector<std::thread> threads;
  TaskErrorHandler onError;
  std::atomic<std::size_t> timers{0};
  bool stopped = false;
};

ExecutorPool::ExecutorPool(unsigned ioThreads, const PoolSizes& pools, TaskErrorHandler onError)
    : impl_(std::make_unique<Impl>(ioThreads == 0 ? 1 : ioThreads, pools, std::move(onError))) {}

namespace {
PoolSizes uniform(unsigned threads) {
  PoolSizes sizes;
  sizes.fill({threads == 0 ? 1 : threads, 10000});
  return sizes;
}
}  // namespace

ExecutorPool::ExecutorPool(unsigned ioThreads, unsigned blockingThreads, TaskErrorHandler onError)
    : ExecutorPool(ioThreads, uniform(blockingThreads), std::move(onError)) {}

ExecutorPool::~ExecutorPool() { stop(); }

asio::io_context& ExecutorPool::io() { return impl_->io; }

void ExecutorPool::post(std::function<void()> task) {
  asio::post(impl_->io, impl_->guarded(std::move(task)));
}

void ExecutorPool::postAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io, delay);
  auto ticket = std::make_shared<std::optional<TimerTicket>>();
  ticket->emplace(impl_->timers);
  timer->async_wait([timer, ticket, task = impl_->guarded(std::move(task))](const boost::system::error_code& ec) {
    ticket->reset();
    if (!ec) task();
  });
}

void ExecutorPool::postAfterOrCancel(std::chrono::milliseconds delay, CancellationToken token,
                                     std::function<void(bool)> done) {
  // Everything that touches the timer runs on its strand: the arming, the cancel (from
  // the token's callback, on any thread) and the completion.
  struct Sleep {
    Sleep(asio::io_context& io, std::atomic<std::size_t>& timers)
        : strand(asio::make_strand(io)), timer(strand) {
      ticket.emplace(timers);
    }
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    std::optional<TimerTicket> ticket;  // until the timer has fired or been cancelled
    std::function<void(bool)> done;
    CancellationRegistration registration;
  };
  auto sleep = std::make_shared<Sleep>(impl_->io, impl_->timers);
  sleep->done = [this, done = std::move(done)](bool elapsed) { impl_->guarded([&done, elapsed] { done(elapsed); })(); };
  asio::post(sleep->strand, [sleep, delay, token = std::move(token)] {
    sleep->timer.expires_after(delay);
    sleep->timer.async_wait(asio::bind_executor(sleep->strand, [sleep](const boost::system::error_code& ec) {
      sleep->registration.reset();
      sleep->ticket.reset();
      auto done = std::move(sleep->done);
      done(!ec);
    }));
    // Weak: the token's callback must not keep the timer (and what `done` holds) alive.
    sleep->registration = token.onCancel([weak = std::weak_ptr<Sleep>(sleep)] {
      if (auto held = weak.lock()) {
        asio::post(held->strand, [held] { held->timer.cancel(); });
      }
    });
  });
}

void ExecutorPool::postBlocking(std::function<void()> work) { postBlocking(orrery::Pool::blocking, std::move(work)); }

void ExecutorPool::postBlocking(orrery::Pool pool, std::function<void()> work) {
  auto& target = *impl_->pools[slot(pool)];
  std::function<void()> task = std::move(work);
  if (target.tryPost(task)) return;
  const auto stats = target.stats();
  // Elasticsearch's wording, so clients that look for it (and operators) recognise it.
  std::string message = "rejected execution of task on thread pool [name = " + stats.name +
                        ", queue capacity = " + std::to_string(stats.queueCapacity) +
                        ", pool size = " + std::to_string(stats.threads) +
                        ", active threads = " + std::to_string(stats.active) +
                        ", queued tasks = " + std::to_string(stats.queued) +
                        ", completed tasks = " + std::to_string(stats.completed) + "]";
  throw orrery::RejectedExecution(kPools[slot(pool)], stats.queueCapacity, message);
}

std::vector<PoolStats> ExecutorPool::stats() const {
  std::vector<PoolStats> all;
  for (const auto& pool : impl_->pools) all.push_back(pool->stats());
  return all;
}

std::size_t ExecutorPool::pendingTimers() const { return impl_->timers.load(); }

void ExecutorPool::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (auto& pool : impl_->pools) pool->stop();
  impl_->work.reset();
  impl_->io.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  // Destroy what is still queued (timers, posted handlers) now, while the objects they
  // reference still exist, rather than whenever this pool is destroyed.
  impl_->io.shutdown();
}

}  // namespace orrery::executors
