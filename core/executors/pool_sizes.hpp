// How big each blocking pool is: threads and queue length, indexed by orrery::Pool. The
// defaults follow Elasticsearch's thread pools where it has one (thread_pool.search,
// thread_pool.write); the config keys `executors.<pool>.threads` / `.queueSize` override
// them.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include "orrery/executors.hpp"

namespace orrery::executors {

inline constexpr std::size_t kPoolCount = 5;  // the orrery::Pool values
inline constexpr std::array<orrery::Pool, kPoolCount> kPools{orrery::Pool::blocking, orrery::Pool::search,
                                                             orrery::Pool::write, orrery::Pool::storage,
                                                             orrery::Pool::hashing};

struct PoolSize {
  unsigned threads = 1;
  std::size_t queueSize = 1000;
};

using PoolSizes = std::array<PoolSize, kPoolCount>;

// The defaults for a machine with `cores` cores.
inline PoolSizes defaultPoolSizes(unsigned cores) {
  cores = std::max(1u, cores);
  PoolSizes sizes;
  // What has no pool of its own (plugins built before SDK 1.4, files, child processes):
  // as the single pool before there were several.
  sizes[static_cast<std::size_t>(orrery::Pool::blocking)] = {4, 1000};
  // Elasticsearch's thread_pool.search: int((cores * 3) / 2) + 1 threads, queue 1000.
  sizes[static_cast<std::size_t>(orrery::Pool::search)] = {cores * 3 / 2 + 1, 1000};
  // Elasticsearch's thread_pool.write: one thread per core, queue 10000.
  sizes[static_cast<std::size_t>(orrery::Pool::write)] = {cores, 10000};
  // Short SQLite transactions on one file (one writer at a time in WAL mode).
  sizes[static_cast<std::size_t>(orrery::Pool::storage)] = {std::clamp(cores, 2u, 4u), 1000};
  // argon2id is CPU and memory heavy: half the cores, and a short queue, so that a flood
  // of bad credentials is refused rather than waited for.
  sizes[static_cast<std::size_t>(orrery::Pool::hashing)] = {std::max(1u, cores / 2), 100};
  return sizes;
}

}  // namespace orrery::executors
