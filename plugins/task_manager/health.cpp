#include "health.hpp"

#include <date/date.h>

#include "schedule.hpp"
#include "task_document.hpp"

namespace orrery::task_manager {

namespace {

using nlohmann::json;

std::string isoTime(TimePoint time) { return date::format("%FT%TZ", time); }

json optionalNumber(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

double ratio(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// Runs per minute a recurring schedule asks for.
double perMinute(const TaskSchedule& s, TimePoint now) {
  try {
    const auto schedule = Schedule::parse(s.interval, s.cron, s.timeZone);
    std::chrono::milliseconds period;
    if (schedule.interval) {
      period = *schedule.interval;
    } else {
      const auto first = schedule.next(now);
      period = schedule.next(first) - first;
    }
    return period.count() <= 0 ? 0.0 : 60000.0 / static_cast<double>(period.count());
  } catch (const std::exception&) {
    return 0.0;
  }
}

}  // namespace

Task<json> healthReport(std::shared_ptr<TaskEngine> engine) {
  const auto now = engine->now();
  const auto& settings = engine->settings();

  json types = json::object();
  std::size_t total = 0, overdue = 0, recurring = 0, dueNextMinute = 0;
  double requiredPerMinute = 0;
  for (const auto& type : engine->definitions().types()) types[type] = {{"count", 0}, {"status", json::object()}};
  std::size_t offset = 0;
  constexpr std::size_t kPage = 1000;
  while (true) {
    storage::FindQuery page{.type = kTaskType, .offset = offset, .limit = kPage};
    auto query = engine->storage().find(std::move(page));
    const auto found = co_await std::move(query);
    for (const auto& document : found.documents) {
      TaskInstance task;
      try {
        task = fromDocument(document);
      } catch (const std::exception&) {
        continue;
      }
      ++total;
      auto& entry = types[task.taskType];
      if (!entry.contains("count")) entry = {{"count", 0}, {"status", json::object()}};
      entry["count"] = entry["count"].get<std::size_t>() + 1;
      auto& byStatus = entry["status"][statusName(task.status)];
      byStatus = byStatus.is_null() ? 1 : byStatus.get<std::size_t>() + 1;
      const bool due = task.runAt && *task.runAt <= now;
      if (task.status == TaskStatus::idle && task.enabled && due) ++overdue;
      if (task.schedule) {
        ++recurring;
        requiredPerMinute += perMinute(*task.schedule, now);
      } else if (task.status == TaskStatus::idle && task.runAt && *task.runAt <= now + std::chrono::minutes(1)) {
        ++dueNextMinute;
      }
    }
    offset += found.documents.size();
    if (found.documents.size() < kPage || offset >= found.total) break;
  }
  requiredPerMinute += static_cast<double>(dueNextMinute);

  const auto metrics = engine->metrics().snapshot(now);
  json frequency = json::object();
  for (const auto& [type, counts] : metrics.byType) {
    const auto runs = counts.success + counts.retry + counts.failure;
    frequency[type] = {{"success", ratio(counts.success, runs)},
                       {"retry", ratio(counts.retry, runs)},
                       {"failure", ratio(counts.failure, runs)},
                       {"runs", runs}};
  }
  const double observed = metrics.completionsLastMinute;
  const bool pollHealthy =
      metrics.lastSuccessfulPoll && now - *metrics.lastSuccessfulPoll <= 10 * settings.pollInterval + std::chrono::seconds(5);

  json report = {
      {"id", settings.ownerId},
      {"timestamp", isoTime(now)},
      {"status", pollHealthy ? "OK" : "warn"},
      {"stats",
       {{"configuration",
         {{"capacity", settings.capacity}, {"poll_interval_ms", settings.pollInterval.count()}}},
        {"workload",
         {{"count", total},
          {"task_types", types},
          {"overdue", overdue},
          {"recurring", recurring},
          {"non_recurring", total - recurring}}},
        {"runtime",
         {{"drift_ms", {{"p50", optionalNumber(metrics.driftP50)}, {"p99", optionalNumber(metrics.driftP99)}}},
          {"run_duration_ms",
           {{"p50", optionalNumber(metrics.durationP50)}, {"p99", optionalNumber(metrics.durationP99)}}},
          {"result_frequency_percent", frequency},
          {"running", engine->inFlight()},
          {"last_successful_poll",
           metrics.lastSuccessfulPoll ? json(isoTime(*metrics.lastSuccessfulPoll)) : json(nullptr)}}},
        {"capacity_estimation",
         {{"observed_throughput_per_minute", observed},
          {"required_throughput_per_minute", requiredPerMinute}}}}}};
  co_return report;
}

}  // namespace orrery::task_manager
