#include "running_search.hpp"

#include <atomic>
#include <nlohmann/json.hpp>
#include <orrery/json_parse.hpp>

namespace orrery::async_search {
namespace {

// The "error" object of an Elasticsearch error body, as text; the whole body when it has
// none (a strategy that answered something else).
std::string errorOf(const std::string& body) {
  nlohmann::json parsed;
  try {
    parsed = parseJson(body, 2 * kMaxJsonNestingDepth);  // a remote cluster's body is outside input
  } catch (const JsonTooDeep&) {
    return errorObject("exception", "the search strategy failed with an error body nested too deeply to read");
  }
  if (parsed.is_object()) {
    const auto error = parsed.find("error");
    if (error != parsed.end() && error->is_object()) return error->dump();
    if (error != parsed.end() && error->is_string()) return errorObject("exception", error->get<std::string>());
  }
  return errorObject("exception", "the search strategy failed without an Elasticsearch error body");
}

}  // namespace

SearchRecord RunningSearch::record() const {
  std::lock_guard lock(mutex_);
  return record_;
}

AsyncSearchResult RunningSearch::result(bool withId) const {
  std::lock_guard lock(mutex_);
  return record_.result(withId);
}

bool RunningSearch::done() const {
  std::lock_guard lock(mutex_);
  return !record_.running();
}

std::int64_t RunningSearch::expirationTime() const {
  std::lock_guard lock(mutex_);
  return record_.expirationTime;
}

void RunningSearch::setExpirationTime(std::int64_t millis) {
  std::lock_guard lock(mutex_);
  record_.expirationTime = millis;
}

void RunningSearch::progress(ShardCounts shards, std::string partialResponse) {
  std::lock_guard lock(mutex_);
  if (!record_.running()) return;
  record_.shards = shards;
  if (!partialResponse.empty()) record_.response = std::move(partialResponse);
}

bool RunningSearch::complete(int status, std::string body, std::int64_t nowMillis) {
  std::map<std::uint64_t, std::function<void()>> waiters;
  {
    std::lock_guard lock(mutex_);
    if (!record_.running()) return false;
    record_.status = status;
    if (status < 300) {
      // Only `took` and `_shards` are read: everything else (hits, aggregations) is
      // skipped by the parser, not built, whatever the response's size.
      // Nothing deeper than _shards' counts is kept either, so no nesting builds a deep tree.
      const auto keep = [](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth == 1 && event == nlohmann::json::parse_event_t::key) return parsed == "took" || parsed == "_shards";
        return depth <= 2;
      };
      const auto parsed = nlohmann::json::parse(body, keep, false);
      // A response answers its own shard counts; partial if any shard failed.
      if (parsed.is_object() && parsed.contains("_shards") && parsed["_shards"].is_object()) {
        const auto& shards = parsed["_shards"];
        const auto count = [&shards](const char* key) {
          return shards.contains(key) && shards[key].is_number_integer() ? shards[key].get<int>() : 0;
        };
        record_.shards = {count("total"), count("successful"), count("skipped"), count("failed")};
      }
      if (parsed.is_object() && parsed.contains("took") && parsed["took"].is_number_integer()) {
        record_.completionTime = record_.startTime + parsed["took"].get<std::int64_t>();
      } else {
        record_.completionTime = nowMillis;
      }
      record_.isPartial = record_.shards.failed > 0;
      record_.response = std::move(body);
      record_.state = SearchState::completed;
    } else {
      record_.error = errorOf(body);
      record_.isPartial = true;
      record_.state = SearchState::failed;
      // Elasticsearch shows a completion time only beside a response (the partial one).
      if (record_.response) record_.completionTime = nowMillis;
    }
    if (keepOnCompletion_ || stored_ != Stored::no) limitResponseSize(record_, maxResponseBytes_);
    waiters.swap(waiters_);
  }
  for (auto& [id, waiter] : waiters) waiter();
  return true;
}

void RunningSearch::markStopped(std::int64_t nowMillis) {
  std::map<std::uint64_t, std::function<void()>> waiters;
  {
    std::lock_guard lock(mutex_);
    if (!record_.running()) return;
    record_.state = SearchState::stopped;
    record_.isPartial = true;
    record_.status = 503;
    if (record_.response) record_.completionTime = nowMillis;
    record_.error = errorObject("node_closed_exception",
                                "the host stopped while the search was running; it did not finish");
    waiters.swap(waiters_);
  }
  for (auto& [id, waiter] : waiters) waiter();
}

SearchRecord RunningSearch::beginStoring() {
  std::lock_guard lock(mutex_);
  stored_ = Stored::storing;
  if (!record_.running()) {
    limitResponseSize(record_, maxResponseBytes_);
    finalWriteClaimed_ = true;  // the first write carries the final record
  }
  return record_;
}

bool RunningSearch::storedInitially() {
  std::lock_guard lock(mutex_);
  stored_ = Stored::yes;
  if (record_.running() || finalWriteClaimed_ || deleted_) return false;
  finalWriteClaimed_ = true;
  return true;
}

bool RunningSearch::claimFinalWrite() {
  std::lock_guard lock(mutex_);
  if (stored_ != Stored::yes || record_.running() || finalWriteClaimed_ || deleted_) return false;
  finalWriteClaimed_ = true;
  return true;
}

void RunningSearch::markDeleted() {
  std::lock_guard lock(mutex_);
  deleted_ = true;
}

bool RunningSearch::deleted() const {
  std::lock_guard lock(mutex_);
  return deleted_;
}

std::uint64_t RunningSearch::whenDone(std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (record_.running()) {
      const auto id = nextWaiter_++;
      waiters_.emplace(id, std::move(callback));
      return id;
    }
  }
  callback();
  return 0;
}

void RunningSearch::forget(std::uint64_t waiterId) {
  std::function<void()> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  if (auto it = waiters_.find(waiterId); it != waiters_.end()) {
    dropped = std::move(it->second);
    waiters_.erase(it);
  }
}

void WaitUntilDone::await_suspend(std::coroutine_handle<> handle) {
  struct Race {
    std::atomic<bool> settled{false};
    std::atomic<std::uint64_t> waiterId{0};
    CancellationSource timer;  // cancelled when the search ends first: no timer lingers
  };
  // Everything used below is copied first: once the search ends, the resumed request may
  // finish and free this awaiter on another thread.
  const auto timeout = timeout_;
  Executors* executors = &executors_;
  auto search = search_;
  auto race = std::make_shared<Race>();
  // Whichever comes first resumes the request, on an I/O thread; the other does nothing.
  const auto waiterId = search->whenDone([race, executors, handle] {
    if (race->settled.exchange(true)) return;
    race->timer.cancel();
    executors->post([handle] { handle.resume(); });
  });
  race->waiterId = waiterId;
  executors->postAfterOrCancel(timeout, race->timer.token(), [race, search, handle](bool elapsed) {
    if (!elapsed || race->settled.exchange(true)) return;
    search->forget(race->waiterId);
    handle.resume();
  });
}

}  // namespace orrery::async_search
