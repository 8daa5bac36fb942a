// One thread that drives every transfer of a cluster client through one curl multi handle.
//
// A remote search spends nearly all its time waiting for the cluster; waiting here, on
// one event thread for all of them, means 200 slow searches hold no thread of the host's
// pools. start() hands a configured easy handle over; the completion runs on the driver
// thread when the transfer ends, and must be quick (parse elsewhere). cancel() wakes the
// thread at once (curl_multi_wakeup), so a cancelled transfer ends within milliseconds.
// The multi handle keeps the connection cache, so requests reuse kept-alive connections.
#pragma once

#include <curl/curl.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace orrery::data {

class CurlDriver {
 public:
  using Id = std::uint64_t;
  // curl's result, or nullopt when the transfer was cancelled (or the driver stopped)
  // before it ended. The easy handle is out of the multi handle by then: the completion
  // may reuse or free it.
  using Completion = std::function<void(std::optional<CURLcode>)>;

  // Throws std::runtime_error when curl cannot make a multi handle.
  CurlDriver();
  // Ends every transfer still running as cancelled (their completions run), then joins.
  ~CurlDriver();
  CurlDriver(const CurlDriver&) = delete;
  CurlDriver& operator=(const CurlDriver&) = delete;

  // Runs `easy` to its end; nullopt (and `done` is never called) once the driver stops.
  std::optional<Id> start(CURL* easy, Completion done);
  // Ends a running transfer with done(nullopt); nothing if it already ended.
  void cancel(Id id);
  // Transfers started and not yet completed.
  std::size_t inFlight() const;

 private:
  struct Entry {
    CURL* easy = nullptr;
    Completion done;
  };
  void loop();
  void finish(std::map<Id, Entry>::iterator it, std::optional<CURLcode> code);

  CURLM* multi_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<std::pair<Id, Entry>> toAdd_;
  std::vector<Id> toCancel_;
  bool stopping_ = false;
  Id nextId_ = 1;
  std::size_t inFlight_ = 0;
  // Only the driver thread touches these.
  std::map<Id, Entry> running_;
  std::map<CURL*, Id> byHandle_;
  std::thread thread_;
};

}  // namespace orrery::data
