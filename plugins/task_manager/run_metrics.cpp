#include "run_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace orrery::task_manager {

namespace {
constexpr std::size_t kMaxSamples = 2048;
}

std::optional<double> percentile(std::vector<double> samples, double fraction) {
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(samples.size())));
  return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}

void RunMetrics::push(std::deque<double>& samples, double value) {
  samples.push_back(value);
  if (samples.size() > kMaxSamples) samples.pop_front();
}

void RunMetrics::recordRun(const std::string& type, double driftMs, double durationMs, Outcome outcome,
                           TimePoint now) {
  std::lock_guard lock(mutex_);
  push(drift_, driftMs);
  push(duration_, durationMs);
  auto& counts = byType_[type];
  switch (outcome) {
    case Outcome::success: ++counts.success; break;
    case Outcome::retry: ++counts.retry; break;
    case Outcome::failure: ++counts.failure; break;
  }
  completions_.push_back(now);
  while (!completions_.empty() && completions_.front() < now - std::chrono::minutes(1)) completions_.pop_front();
}

void RunMetrics::recordPoll(TimePoint now) {
  std::lock_guard lock(mutex_);
  lastPoll_ = now;
}

MetricsSnapshot RunMetrics::snapshot(TimePoint now) const {
  std::lock_guard lock(mutex_);
  MetricsSnapshot snapshot;
  const std::vector<double> drift(drift_.begin(), drift_.end());
  const std::vector<double> duration(duration_.begin(), duration_.end());
  snapshot.driftP50 = percentile(drift, 0.5);
  snapshot.driftP99 = percentile(drift, 0.99);
  snapshot.durationP50 = percentile(duration, 0.5);
  snapshot.durationP99 = percentile(duration, 0.99);
  snapshot.byType = byType_;
  snapshot.lastSuccessfulPoll = lastPoll_;
  snapshot.completionsLastMinute = static_cast<double>(
      std::count_if(completions_.begin(), completions_.end(), [now](TimePoint t) { return t >= now - std::chrono::minutes(1); }));
  return snapshot;
}

}  // namespace orrery::task_manager
