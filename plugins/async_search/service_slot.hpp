// Where routes and the cleanup task find the service: routes are registered in setup, the
// service exists from start until stop.
#pragma once

#include <memory>
#include <mutex>

#include "async_search_service.hpp"

namespace orrery::async_search {

struct ServiceSlot {
  std::mutex mutex;
  std::shared_ptr<AsyncSearchService> service;

  std::shared_ptr<AsyncSearchService> get() {
    std::lock_guard lock(mutex);
    return service;
  }
};

}  // namespace orrery::async_search
