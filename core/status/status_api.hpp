// GET /api/status: the overall and per-plugin status, version, uptime and start-up time.
//
// Full detail for authenticated callers (and for everyone when security is disabled by
// configuration); anonymous callers see only the overall level. The blocking pools'
// figures (threads, active, queue depth, rejections, queue waits) only for a superuser
// (or everyone when security is disabled): they tell how close the host is to refusing. Answers 503 while the
// overall level is unavailable, so load balancers can use it as a health check.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/executors/bounded_pool.hpp"
#include "core/status/status_service.hpp"
#include "orrery/http/router.hpp"

namespace orrery::status {

struct StatusApiInfo {
  std::string name;     // the host name
  std::string version;  // Orrery's
  std::chrono::steady_clock::time_point started;
  // Set once the host is ready; negative until then.
  std::shared_ptr<std::atomic<double>> startupMs;
  // Whether callers without credentials get full detail (security disabled).
  std::function<bool()> anonymousSeesAll;
  // The blocking pools' figures; empty means none are shown.
  std::function<std::vector<executors::PoolStats>()> pools;
};

orrery::http::Handler statusApiHandler(const StatusService& service, StatusApiInfo info);

}  // namespace orrery::status
