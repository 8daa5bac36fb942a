#include "core/http/client_gone.hpp"

#include <mutex>
#include <unordered_map>

namespace orrery::server {
namespace {

struct Watches {
  std::mutex mutex;
  std::unordered_map<const http::Request*, CancellationToken> byRequest;
};

Watches& watches() {
  static Watches instance;  // destroyed at exit, after every server has stopped
  return instance;
}

}  // namespace

ClientGoneWatch::ClientGoneWatch(const http::Request& request) : request_(&request) {
  auto& all = watches();
  std::lock_guard lock(all.mutex);
  all.byRequest[request_] = source_.token();
}

ClientGoneWatch::~ClientGoneWatch() {
  auto& all = watches();
  std::lock_guard lock(all.mutex);
  all.byRequest.erase(request_);
}

CancellationToken ClientGoneWatch::tokenFor(const http::Request& request) {
  auto& all = watches();
  std::lock_guard lock(all.mutex);
  const auto it = all.byRequest.find(&request);
  return it == all.byRequest.end() ? CancellationToken() : it->second;
}

}  // namespace orrery::server
