#include "core/executors/executor_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace orrery::executors {

namespace asio = boost::asio;

namespace {
// Asio destroys queued, never-invoked handlers in execution_context::shutdown(), which is
// protected; these expose it so stop() can drop queued work at a chosen moment.
struct Io : asio::io_context {
  using asio::io_context::shutdown;
};
struct Blocking : asio::thread_pool {
  using asio::thread_pool::thread_pool;
  using asio::thread_pool::shutdown;
};
}  // namespace

struct ExecutorPool::Impl {
  Impl(unsigned ioThreads, unsigned blockingThreads, TaskErrorHandler onError)
      : work(asio::make_work_guard(io)), blocking(blockingThreads), onError(std::move(onError)) {
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
  Blocking blocking;
  std::vector<std::thread> threads;
  TaskErrorHandler onError;
  bool stopped = false;
};

ExecutorPool::ExecutorPool(unsigned ioThreads, unsigned blockingThreads, TaskErrorHandler onError)
    : impl_(std::make_unique<Impl>(ioThreads == 0 ? 1 : ioThreads,
                                   blockingThreads == 0 ? 1 : blockingThreads, std::move(onError))) {}

ExecutorPool::~ExecutorPool() { stop(); }

asio::io_context& ExecutorPool::io() { return impl_->io; }

void ExecutorPool::post(std::function<void()> task) {
  asio::post(impl_->io, impl_->guarded(std::move(task)));
}

void ExecutorPool::postAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io, delay);
  timer->async_wait([timer, task = impl_->guarded(std::move(task))](const boost::system::error_code& ec) {
    if (!ec) task();
  });
}

void ExecutorPool::postBlocking(std::function<void()> work) {
  asio::post(impl_->blocking, impl_->guarded(std::move(work)));
}

void ExecutorPool::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->blocking.stop();
  impl_->blocking.join();
  impl_->work.reset();
  impl_->io.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  // Destroy what is still queued (timers, posted handlers) now, while the objects they
  // reference still exist, rather than whenever this pool is destroyed.
  impl_->blocking.shutdown();
  impl_->io.shutdown();
}

}  // namespace orrery::executors
