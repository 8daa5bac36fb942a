#include "task_document.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace orrery::task_manager {

namespace {

using nlohmann::json;

json timeOrNull(const std::optional<TimePoint>& time) {
  return time ? json(epochMillis(*time)) : json(nullptr);
}

std::optional<TimePoint> readTime(const json& body, const char* key) {
  const auto found = body.find(key);
  if (found == body.end() || found->is_null()) return std::nullopt;
  if (!found->is_number_integer()) throw std::invalid_argument(std::string("task field '") + key + "' is not a time");
  return TimePoint(std::chrono::milliseconds(found->get<std::int64_t>()));
}

json objectText(const std::string& text, const char* what) {
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw std::invalid_argument(std::string("task ") + what + " must be a JSON object");
  }
  return parsed;
}

}  // namespace

void registerTaskStorage(storage::Storage& storage) {
  storage.registerType({kTaskType, 1, {}});
  storage.registerIndex(kTaskType, {"status", "enabled", "runAt"});  // due and next due idle tasks
  storage.registerIndex(kTaskType, {"status", "retryAt"});           // leases that expired
  storage.registerIndex(kTaskType, {"taskType", "status", "runAt"});  // fetch by type
}

std::int64_t epochMillis(TimePoint time) { return time.time_since_epoch().count(); }

std::optional<TaskStatus> parseStatus(std::string_view text) {
  for (auto status : {TaskStatus::idle, TaskStatus::claiming, TaskStatus::running, TaskStatus::failed,
                      TaskStatus::unrecognized}) {
    if (text == statusName(status)) return status;
  }
  return std::nullopt;
}

std::string toBody(const TaskInstance& task) {
  json body{{"taskType", task.taskType},
            {"params", objectText(task.params, "params")},
            {"state", objectText(task.state, "state")},
            {"runAt", timeOrNull(task.runAt)},
            {"scheduledAt", timeOrNull(task.scheduledAt)},
            {"startedAt", timeOrNull(task.startedAt)},
            {"retryAt", timeOrNull(task.retryAt)},
            {"attempts", task.attempts},
            {"status", statusName(task.status)},
            {"ownerId", task.ownerId},
            {"enabled", task.enabled}};
  if (task.schedule) {
    json schedule = json::object();
    if (task.schedule->interval) schedule["interval"] = *task.schedule->interval;
    if (task.schedule->cron) schedule["cron"] = *task.schedule->cron;
    if (task.schedule->timeZone) schedule["timeZone"] = *task.schedule->timeZone;
    body["schedule"] = std::move(schedule);
  } else {
    body["schedule"] = nullptr;
  }
  return body.dump();
}

TaskInstance fromDocument(const storage::Document& document) {
  const auto body = json::parse(document.body, nullptr, false);
  if (!body.is_object()) throw std::invalid_argument("task '" + document.id + "': the body is not a JSON object");
  TaskInstance task;
  task.id = document.id;
  task.version = document.version;
  try {
    task.taskType = body.at("taskType").get<std::string>();
    task.params = body.value("params", json::object()).dump();
    task.state = body.value("state", json::object()).dump();
    task.runAt = readTime(body, "runAt");
    task.scheduledAt = readTime(body, "scheduledAt");
    task.startedAt = readTime(body, "startedAt");
    task.retryAt = readTime(body, "retryAt");
    task.attempts = body.value("attempts", 0u);
    const auto status = parseStatus(body.value("status", std::string("idle")));
    if (!status) throw std::invalid_argument("unknown status");
    task.status = *status;
    task.ownerId = body.value("ownerId", std::string());
    task.enabled = body.value("enabled", true);
    const auto schedule = body.find("schedule");
    if (schedule != body.end() && schedule->is_object()) {
      TaskSchedule s;
      if (schedule->contains("interval")) s.interval = schedule->at("interval").get<std::string>();
      if (schedule->contains("cron")) s.cron = schedule->at("cron").get<std::string>();
      if (schedule->contains("timeZone")) s.timeZone = schedule->at("timeZone").get<std::string>();
      task.schedule = std::move(s);
    }
  } catch (const json::exception& e) {
    throw std::invalid_argument("task '" + document.id + "': " + e.what());
  }
  return task;
}

}  // namespace orrery::task_manager
