// Which of the remote cluster's nodes a request tries, and in what order, the way the
// Elasticsearch clients' cluster connection pool decides it: a node that failed is dead
// for a cooldown that doubles with each consecutive failure up to a cap, and a success
// makes it alive again. A request tries the live nodes first, starting from the next one
// in turn (spreading requests over the cluster), then the dead ones, soonest back first:
// a dead node costs no attempt while another node can answer, and when every node is
// dead they are all tried anyway rather than failing without trying. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <vector>

namespace orrery::data {

class NodePool {
 public:
  using Clock = std::chrono::steady_clock;

  // `count` nodes; `cooldown` after the first failure, doubled per further consecutive
  // failure, at most `cooldownMax`. A zero cooldown never marks a node dead.
  NodePool(std::size_t count, std::chrono::milliseconds cooldown, std::chrono::milliseconds cooldownMax);

  // Node indexes in the order a request tries them at `now`.
  std::vector<std::size_t> order(Clock::time_point now);
  void markDead(std::size_t node, Clock::time_point now);
  void markAlive(std::size_t node);
  bool isDead(std::size_t node, Clock::time_point now) const;

  // How long a node is skipped after `failures` (1 or more) consecutive failures.
  std::chrono::milliseconds cooldownAfter(int failures) const;

 private:
  struct Node {
    int failures = 0;
    Clock::time_point deadUntil{};
  };

  std::chrono::milliseconds cooldown_;
  std::chrono::milliseconds cooldownMax_;
  mutable std::mutex mutex_;
  std::vector<Node> nodes_;
  std::size_t next_ = 0;
};

}  // namespace orrery::data
