// Elasticsearch's indexing pressure, for the embedded engine: a cap on the bytes of write
// requests (_bulk, _doc, _create, _update) being indexed at once, the setting
// `data.indexing_pressure.memory.limit` (Elasticsearch's `indexing_pressure.memory.limit`).
// A write that would take the total past it is rejected at once with Elasticsearch's 429
// es_rejected_execution_exception, instead of queueing more work and memory behind the
// writes already running. Only the coordinating stage exists here (one node, no replicas),
// so the primary and replica figures of the message are those of that stage and 0.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace orrery::data {

class IndexingPressure {
 public:
  explicit IndexingPressure(std::uint64_t limit) : limit_(limit) {}
  IndexingPressure(const IndexingPressure&) = delete;
  IndexingPressure& operator=(const IndexingPressure&) = delete;

  // The bytes of one write in progress, given back when it goes. The pressure must
  // outlive it.
  class Operation {
   public:
    Operation() = default;
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;
    Operation(Operation&& other) noexcept
        : pressure_(std::exchange(other.pressure_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    Operation& operator=(Operation&& other) noexcept {
      if (this != &other) {
        release();
        pressure_ = std::exchange(other.pressure_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
      }
      return *this;
    }
    ~Operation() { release(); }
    void release() {
      if (pressure_) std::exchange(pressure_, nullptr)->current_.fetch_sub(bytes_);
      bytes_ = 0;
    }

   private:
    friend class IndexingPressure;
    Operation(IndexingPressure* pressure, std::uint64_t bytes) : pressure_(pressure), bytes_(bytes) {}
    IndexingPressure* pressure_ = nullptr;
    std::uint64_t bytes_ = 0;
  };

  // Elasticsearch's markCoordinatingOperationStarted: counts `bytes` as being indexed, or
  // throws EngineError 429 es_rejected_execution_exception when the total would pass the
  // limit (a single write larger than the limit included).
  Operation markCoordinatingOperationStarted(std::uint64_t bytes);

  std::uint64_t limit() const { return limit_; }
  std::uint64_t current() const { return current_.load(); }

 private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> current_{0};
};

}  // namespace orrery::data
