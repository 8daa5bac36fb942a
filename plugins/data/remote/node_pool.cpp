#include "node_pool.hpp"

#include <algorithm>

namespace orrery::data {

NodePool::NodePool(std::size_t count, std::chrono::milliseconds cooldown, std::chrono::milliseconds cooldownMax)
    : cooldown_(cooldown), cooldownMax_(std::max(cooldown, cooldownMax)), nodes_(count) {}

std::chrono::milliseconds NodePool::cooldownAfter(int failures) const {
  auto wait = cooldown_;
  // Doubling stops at the cap, so a node failing for days cannot overflow the duration.
  for (int i = 1; i < failures && wait < cooldownMax_; ++i) wait *= 2;
  return std::min(wait, cooldownMax_);
}

std::vector<std::size_t> NodePool::order(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::vector<std::size_t> live;
  std::vector<std::size_t> dead;
  for (std::size_t i = 0; i < nodes_.size(); ++i) (nodes_[i].deadUntil > now ? dead : live).push_back(i);
  if (!live.empty()) {
    std::rotate(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(next_ % live.size()), live.end());
    ++next_;
  }
  std::stable_sort(dead.begin(), dead.end(),
                   [this](std::size_t a, std::size_t b) { return nodes_[a].deadUntil < nodes_[b].deadUntil; });
  live.insert(live.end(), dead.begin(), dead.end());
  return live;
}

void NodePool::markDead(std::size_t node, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& state = nodes_.at(node);
  // Counting stops where the cooldown stops growing.
  if (state.failures < 64) ++state.failures;
  state.deadUntil = now + cooldownAfter(state.failures);
}

void NodePool::markAlive(std::size_t node) {
  std::lock_guard lock(mutex_);
  nodes_.at(node) = Node{};
}

bool NodePool::isDead(std::size_t node, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  return nodes_.at(node).deadUntil > now;
}

}  // namespace orrery::data
