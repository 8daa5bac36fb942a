#include "indexing_pressure.hpp"

#include "errors.hpp"

namespace orrery::data {

IndexingPressure::Operation IndexingPressure::markCoordinatingOperationStarted(std::uint64_t bytes) {
  const std::uint64_t total = current_.fetch_add(bytes) + bytes;
  if (total > limit_) {
    current_.fetch_sub(bytes);
    const std::uint64_t before = total - bytes;
    // Elasticsearch's wording, so that clients and operators recognise it.
    throw EngineError(429, "es_rejected_execution_exception",
                      "rejected execution of coordinating operation [coordinating_and_primary_bytes=" +
                          std::to_string(before) + ", replica_bytes=0, all_bytes=" + std::to_string(before) +
                          ", coordinating_operation_bytes=" + std::to_string(bytes) +
                          ", max_coordinating_and_primary_bytes=" + std::to_string(limit_) + "]");
  }
  return Operation(this, bytes);
}

}  // namespace orrery::data
