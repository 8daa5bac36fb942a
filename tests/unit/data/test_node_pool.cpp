// The remote cluster's node pool (plugins/data/remote/node_pool.hpp) at explicit instants:
// the cooldown of a failed node, doubling per consecutive failure up to its cap; live
// nodes first in turn, dead nodes after them soonest back first; a node back after its
// cooldown; a success forgetting the failures; a zero cooldown never skipping a node.
#include <doctest/doctest.h>

#include "node_pool.hpp"

using orrery::data::NodePool;
using namespace std::chrono_literals;
using Order = std::vector<std::size_t>;

TEST_CASE("a failed node's cooldown doubles per consecutive failure, up to the cap") {
  const NodePool pool(1, 5s, 60s);
  CHECK(pool.cooldownAfter(1) == 5s);
  CHECK(pool.cooldownAfter(2) == 10s);
  CHECK(pool.cooldownAfter(3) == 20s);
  CHECK(pool.cooldownAfter(4) == 40s);
  CHECK(pool.cooldownAfter(5) == 60s);
  CHECK(pool.cooldownAfter(64) == 60s);
  CHECK(NodePool(1, 0ms, 0ms).cooldownAfter(10) == 0ms);
}

TEST_CASE("requests start at the next live node in turn; dead nodes come last, soonest back first") {
  NodePool pool(4, 5s, 60s);
  const auto t0 = NodePool::Clock::now();
  CHECK(pool.order(t0) == Order{0, 1, 2, 3});
  CHECK(pool.order(t0) == Order{1, 2, 3, 0});
  pool.markDead(2, t0);              // back at t0 + 5s
  pool.markDead(0, t0);              // back at t0 + 5s
  pool.markDead(0, t0 + 1s);         // second failure: back at t0 + 11s
  CHECK(pool.isDead(0, t0 + 10s));
  CHECK_FALSE(pool.isDead(1, t0 + 10s));
  // Live 1 and 3 rotate; then dead 2 (back sooner), then dead 0.
  CHECK(pool.order(t0 + 2s) == Order{1, 3, 2, 0});
  CHECK(pool.order(t0 + 2s) == Order{3, 1, 2, 0});
  // After its cooldown a node is among the live ones again (this request, the fifth,
  // starts at live node 4 % 3).
  CHECK(pool.order(t0 + 6s) == Order{2, 3, 1, 0});
  CHECK_FALSE(pool.isDead(2, t0 + 6s));
  CHECK(pool.order(t0 + 12s).size() == 4);
  CHECK_FALSE(pool.isDead(0, t0 + 12s));
}

TEST_CASE("every node dead: all are still tried, soonest back first") {
  NodePool pool(3, 5s, 60s);
  const auto t0 = NodePool::Clock::now();
  pool.markDead(0, t0 + 2s);
  pool.markDead(1, t0);
  pool.markDead(2, t0 + 1s);
  CHECK(pool.order(t0 + 3s) == Order{1, 2, 0});
}

TEST_CASE("a success forgets the failures: the next failure has the first cooldown again") {
  NodePool pool(2, 5s, 60s);
  const auto t0 = NodePool::Clock::now();
  pool.markDead(0, t0);
  pool.markDead(0, t0);
  pool.markDead(0, t0);  // third failure: 20s
  CHECK(pool.isDead(0, t0 + 19s));
  pool.markAlive(0);
  CHECK_FALSE(pool.isDead(0, t0));
  pool.markDead(0, t0);
  CHECK(pool.isDead(0, t0 + 4s));
  CHECK_FALSE(pool.isDead(0, t0 + 5s));
}

TEST_CASE("a zero cooldown never skips a node") {
  NodePool pool(2, 0ms, 0ms);
  const auto t0 = NodePool::Clock::now();
  pool.markDead(0, t0);
  CHECK_FALSE(pool.isDead(0, t0));
  CHECK(pool.order(t0) == Order{0, 1});
}
