// The host's threads: one io_context served by a few I/O threads, and a bounded pool for
// blocking work. Everything asynchronous in the host and its plugins runs here.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace orrery::executors {

// Called with the exception a task let escape; tasks never take a thread down.
using TaskErrorHandler = std::function<void(std::exception_ptr)>;

class ExecutorPool {
 public:
  ExecutorPool(unsigned ioThreads, unsigned blockingThreads, TaskErrorHandler onError);
  ~ExecutorPool();
  ExecutorPool(const ExecutorPool&) = delete;
  ExecutorPool& operator=(const ExecutorPool&) = delete;

  boost::asio::io_context& io();

  void post(std::function<void()> task);
  void postAfter(std::chrono::milliseconds delay, std::function<void()> task);
  void postBlocking(std::function<void()> work);

  // Stops both pools and joins their threads; queued work is dropped (destroyed without
  // running). Idempotent; also done by the destructor.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orrery::executors
