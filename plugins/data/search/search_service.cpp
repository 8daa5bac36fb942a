#include "search_service.hpp"

#include <atomic>
#include <coroutine>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace orrery::data {
namespace {

// Suspends a coroutine until a strategy's done callback delivers the outcome; resumes it
// on an I/O thread.
struct OutcomeAwaiter {
  struct State {
    SearchOutcome outcome;
    std::coroutine_handle<> handle;
    // Set by whichever comes first, the outcome or the end of await_suspend; the second
    // one resumes the coroutine (a strategy may finish before search() returns).
    std::atomic<bool> raced{false};
  };
  Executors& executors;
  std::shared_ptr<SearchStrategy> strategy;
  const std::string& index;
  const std::string& body;
  const SearchOptions& options;
  ProgressCallback onProgress;
  std::shared_ptr<State> state = std::make_shared<State>();

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> handle) {
    auto shared = state;
    auto chosen = strategy;
    Executors* ex = &executors;
    shared->handle = handle;
    auto done = [shared, ex](SearchOutcome outcome) {
      shared->outcome = std::move(outcome);
      if (shared->raced.exchange(true)) ex->post([shared] { shared->handle.resume(); });
    };
    chosen->search(index, body, options, std::move(onProgress), std::move(done));
    // Nothing of this awaiter is touched after the exchange: once it is done, the
    // coroutine may already be running on another thread.
    return !shared->raced.exchange(true);
  }
  SearchOutcome await_resume() { return std::move(state->outcome); }
};

}  // namespace

SearchOutcome errorOutcome(int status, const std::string& type, const std::string& reason) {
  nlohmann::json cause = {{"type", type}, {"reason", reason}};
  nlohmann::json error = cause;
  error["root_cause"] = nlohmann::json::array({cause});
  return {status, nlohmann::json{{"error", error}, {"status", status}}.dump()};
}

void SearchService::registerStrategy(const std::string& name, std::shared_ptr<SearchStrategy> strategy) {
  if (!strategy) throw std::invalid_argument("search strategy '" + name + "' is null");
  const SearchStrategy* registered = strategy.get();
  {
    std::lock_guard lock(mutex_);
    if (!strategies_.emplace(name, std::move(strategy)).second) {
      throw std::invalid_argument("search strategy '" + name + "' is already registered");
    }
  }
  // Tied to the plugin registering it: if that plugin fails, the host withdraws it.
  if (lifecycle_ != nullptr) {
    lifecycle_->trackRegistration([weak = weak_from_this(), name, registered] {
      if (auto self = weak.lock()) self->withdrawStrategy(name, registered);
    });
  }
}

void SearchService::withdrawStrategy(const std::string& name, const SearchStrategy* registered) {
  std::shared_ptr<SearchStrategy> removed;  // released outside the lock
  std::lock_guard lock(mutex_);
  auto it = strategies_.find(name);
  if (it == strategies_.end() || it->second.get() != registered) return;
  removed = std::move(it->second);
  strategies_.erase(it);
}

std::shared_ptr<SearchStrategy> SearchService::strategy(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = strategies_.find(name.empty() ? defaultStrategy_ : name);
  return it == strategies_.end() ? nullptr : it->second;
}

std::shared_ptr<RemoteCluster> SearchService::remoteCluster(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = clusters_.find(name.empty() ? defaultStrategy_ : name);
  // Only while the strategy itself is registered under that name.
  if (it == clusters_.end() || !strategies_.count(it->first)) return nullptr;
  return it->second;
}

void SearchService::registerRemoteCluster(const std::string& name, std::shared_ptr<RemoteCluster> cluster) {
  std::lock_guard lock(mutex_);
  clusters_[name] = std::move(cluster);
}

std::vector<std::string> SearchService::strategies() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, s] : strategies_) out.push_back(name);
  return out;
}

Task<SearchOutcome> SearchService::search(std::string indexExpression, std::string requestBodyJson,
                                          SearchOptions options, ProgressCallback onProgress) {
  auto chosen = strategy(options.strategy);
  if (!chosen) {
    co_return errorOutcome(400, "illegal_argument_exception",
                           "unknown search strategy [" + (options.strategy.empty() ? defaultStrategy_ : options.strategy) + "]");
  }
  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice.
  OutcomeAwaiter awaiter{executors_, chosen, indexExpression, requestBodyJson, options, std::move(onProgress)};
  SearchOutcome outcome = co_await awaiter;
  co_return outcome;
}

}  // namespace orrery::data
