// The host-wide budget of request body bytes in flight (`server.maxInFlightBodyBytes`):
// a request reserves its body's bytes before they are read (the Content-Length at once,
// a chunked body as its chunks arrive) and gives them back when its handler is done and
// the body is freed. A request that would take the total past the budget is answered
// 429 instead, so a crowd of large uploads costs the host a bounded amount of memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace orrery::server {

class BodyBudget {
 public:
  explicit BodyBudget(std::size_t limit) : limit_(limit) {}
  BodyBudget(const BodyBudget&) = delete;
  BodyBudget& operator=(const BodyBudget&) = delete;

  // Bytes one request holds; given back when it goes. The budget must outlive it.
  class Reservation {
   public:
    Reservation() = default;
    explicit Reservation(BodyBudget& budget) : budget_(&budget) {}
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    Reservation(Reservation&& other) noexcept
        : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    Reservation& operator=(Reservation&& other) noexcept {
      if (this != &other) {
        release();
        budget_ = std::exchange(other.budget_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
      }
      return *this;
    }
    ~Reservation() { release(); }

    // Holds `total` bytes in all (no-op when it holds that many already); false, holding
    // what it held, when the budget has not that much left.
    bool growTo(std::size_t total) {
      if (!budget_ || total <= bytes_) return true;
      if (!budget_->take(total - bytes_)) return false;
      bytes_ = total;
      return true;
    }
    std::size_t bytes() const { return bytes_; }
    void release() {
      if (budget_ && bytes_ > 0) budget_->give(bytes_);
      bytes_ = 0;
    }

   private:
    BodyBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

  std::size_t limit() const { return limit_; }
  std::size_t inFlight() const { return used_.load(std::memory_order_relaxed); }

 private:
  bool take(std::size_t bytes) {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ || used > limit_ - bytes) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void give(std::size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace orrery::server
