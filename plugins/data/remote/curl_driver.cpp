#include "curl_driver.hpp"

#include <stdexcept>

namespace orrery::data {

namespace {
// The longest one wait for the sockets lasts when curl names no earlier deadline of its
// own; new transfers and cancels do not wait for it (curl_multi_wakeup ends the wait).
constexpr long kLongestPollMs = 1000;
}  // namespace

CurlDriver::CurlDriver() : multi_(curl_multi_init()) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  thread_ = std::thread([this] { loop(); });
}

CurlDriver::~CurlDriver() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  if (thread_.joinable()) thread_.join();
  curl_multi_cleanup(multi_);
}

std::optional<CurlDriver::Id> CurlDriver::start(CURL* easy, Completion done) {
  Id id = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return std::nullopt;
    id = nextId_++;
    ++inFlight_;
    toAdd_.emplace_back(id, Entry{easy, std::move(done)});
  }
  curl_multi_wakeup(multi_);
  return id;
}

void CurlDriver::cancel(Id id) {
  {
    std::lock_guard lock(mutex_);
    toCancel_.push_back(id);
  }
  curl_multi_wakeup(multi_);
}

std::size_t CurlDriver::inFlight() const {
  std::lock_guard lock(mutex_);
  return inFlight_;
}

void CurlDriver::finish(std::map<Id, Entry>::iterator it, std::optional<CURLcode> code) {
  curl_multi_remove_handle(multi_, it->second.easy);
  byHandle_.erase(it->second.easy);
  auto done = std::move(it->second.done);
  running_.erase(it);
  // Counted down after the completion: whoever waits for inFlight() == 0 sees it done.
  done(code);
  std::lock_guard lock(mutex_);
  --inFlight_;
}

void CurlDriver::loop() {
  for (;;) {
    std::vector<std::pair<Id, Entry>> adds;
    std::vector<Id> cancels;
    bool stop = false;
    {
      std::lock_guard lock(mutex_);
      adds.swap(toAdd_);
      cancels.swap(toCancel_);
      stop = stopping_;
    }
    for (auto& [id, entry] : adds) {
      const auto added = curl_multi_add_handle(multi_, entry.easy);
      auto it = running_.emplace(id, std::move(entry)).first;
      byHandle_[it->second.easy] = id;
      if (added != CURLM_OK) finish(it, CURLE_FAILED_INIT);
    }
    for (const auto id : cancels) {
      if (auto it = running_.find(id); it != running_.end()) finish(it, std::nullopt);
    }
    if (stop) {
      // start() refuses new work now: what runs is all there is.
      while (!running_.empty()) finish(running_.begin(), std::nullopt);
      return;
    }
    int active = 0;
    curl_multi_perform(multi_, &active);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      const auto handle = byHandle_.find(message->easy_handle);
      if (handle == byHandle_.end()) continue;
      const auto result = message->data.result;
      finish(running_.find(handle->second), result);
    }
    long timeout = -1;
    curl_multi_timeout(multi_, &timeout);
    if (timeout < 0 || timeout > kLongestPollMs) timeout = kLongestPollMs;
    if (timeout > 0) curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout), nullptr);
  }
}

}  // namespace orrery::data
