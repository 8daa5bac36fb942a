// What the health API reports about runs on this host: drift (start minus due time) and
// run duration percentiles, outcome counts per task type, completions per minute, and
// the last successful poll. Thread-safe; samples are the most recent 2048 of each kind.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "orrery/task_manager/task_manager.hpp"

namespace orrery::task_manager {

enum class Outcome { success, retry, failure };

struct TypeCounts {
  std::size_t success = 0;
  std::size_t retry = 0;
  std::size_t failure = 0;
};

struct MetricsSnapshot {
  std::optional<double> driftP50, driftP99, durationP50, durationP99;  // milliseconds
  std::map<std::string, TypeCounts> byType;
  std::optional<TimePoint> lastSuccessfulPoll;
  double completionsLastMinute = 0;
};

// The value below which `fraction` of the samples lie (nearest rank); nullopt if none.
std::optional<double> percentile(std::vector<double> samples, double fraction);

class RunMetrics {
 public:
  void recordRun(const std::string& type, double driftMs, double durationMs, Outcome outcome, TimePoint now);
  void recordPoll(TimePoint now);
  MetricsSnapshot snapshot(TimePoint now) const;

 private:
  static void push(std::deque<double>& samples, double value);

  mutable std::mutex mutex_;
  std::deque<double> drift_, duration_;
  std::map<std::string, TypeCounts> byType_;
  std::deque<TimePoint> completions_;  // within the last minute
  std::optional<TimePoint> lastPoll_;
};

}  // namespace orrery::task_manager
