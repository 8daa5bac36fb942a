#include "local_strategy.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "json_params.hpp"
#include "search.hpp"
#include "search_request.hpp"
#include "search_service.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

struct Job {
  std::vector<std::shared_ptr<Index>> indices;
  SearchRequest request;
  bool typedKeys = false;
  std::int64_t now = 0;
  std::chrono::steady_clock::time_point started;
  ProgressCallback onProgress;
  DoneCallback onDone;
  std::atomic<bool> cancelled{false};
  CancellationRegistration registration;

  std::mutex mutex;
  std::vector<ShardResult> results;
  std::optional<EngineError> firstError;
  ShardCounts counts;
  int remaining = 0;
};

SearchOutcome outcomeOf(const EngineError& error) { return {error.status(), error.body().dump()}; }

bool typedKeysParam(const SearchOptions& options) {
  for (const auto& [key, value] : options.parameters) {
    if (key == "typed_keys") return value.empty() || value == "true";
  }
  return false;
}

}  // namespace

void LocalStrategy::search(const std::string& indexExpression, const std::string& requestBodyJson,
                           const SearchOptions& options, ProgressCallback onProgress, DoneCallback onDone) {
  auto job = std::make_shared<Job>();
  job->started = std::chrono::steady_clock::now();
  job->now = currentMillis();
  job->onProgress = std::move(onProgress);
  job->onDone = std::move(onDone);
  job->typedKeys = typedKeysParam(options);
  try {
    json body = nullptr;
    if (!requestBodyJson.empty()) {
      body = json::parse(requestBodyJson, nullptr, false);
      if (body.is_discarded()) throw parsingError("request body is not valid JSON");
    }
    job->request = parseSearchRequest(body);
    applySearchParameters(job->request, options.parameters);
    job->request.maxBuckets = engine_->maxBuckets();
    bool ignoreUnavailable = false;
    for (const auto& [key, value] : options.parameters) {
      if (key == "ignore_unavailable") ignoreUnavailable = value == "true" || value.empty();
    }
    job->indices = engine_->resolve(indexExpression, ignoreUnavailable);
  } catch (const EngineError& error) {
    job->onDone(outcomeOf(error));
    return;
  } catch (const nlohmann::json::exception& error) {
    job->onDone(outcomeOf(jsonValueError(error)));  // a value of the wrong type is the client's: 400
    return;
  }
  std::vector<std::pair<std::shared_ptr<Index>, Shard*>> shards;
  for (const auto& index : job->indices) {
    for (auto& shard : index->shards()) shards.emplace_back(index, shard.get());
  }
  job->counts.total = static_cast<int>(shards.size());
  job->remaining = job->counts.total;
  if (shards.empty()) {
    SearchOutcome outcome;
    try {
      outcome = {200, reduceResults(job->request, {}, job->counts, job->typedKeys, 0).dump()};
    } catch (const EngineError& e) {
      outcome = outcomeOf(e);  // e.g. too many buckets from extended_bounds with no shard at all
    }
    job->onDone(std::move(outcome));
    return;
  }
  job->registration = options.cancellation.onCancel([weak = std::weak_ptr<Job>(job)] {
    if (auto j = weak.lock()) j->cancelled = true;
  });
  for (auto& [index, shard] : shards) {
    auto work = [job, index, shard]() {
      std::optional<ShardResult> result;
      std::optional<EngineError> error;
      if (job->cancelled) {
        error = EngineError(400, "task_cancelled_exception", "The search was cancelled");
      } else {
        try {
          result = searchShard(*index, *shard, job->request, job->now, &job->cancelled);
        } catch (const EngineError& e) {
          error = e;
        } catch (const nlohmann::json::exception& e) {
          error = jsonValueError(e);
        } catch (const std::exception& e) {
          error = EngineError(500, "exception", e.what());
        }
      }
      std::lock_guard lock(job->mutex);
      if (result) {
        job->results.push_back(std::move(*result));
        ++job->counts.successful;
      } else {
        ++job->counts.failed;
        if (!job->firstError || error->type() == "task_cancelled_exception") job->firstError = error;
        ShardResult failed;
        failed.index = index->name();
        failed.shard = shard->number();
        failed.failure = error->cause();
        job->results.push_back(std::move(failed));
      }
      --job->remaining;
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - job->started).count();
      if (job->remaining > 0) {
        // Reported under the job's lock, so progress arrives in order and before the end.
        if (job->onProgress) {
          try {
            job->onProgress(SearchProgress{job->counts.total, job->counts.successful, job->counts.failed, job->counts.skipped,
                                           reduceResults(job->request, job->results, job->counts, job->typedKeys, took).dump()});
          } catch (...) {
            // a failing progress listener does not stop the search
          }
        }
        return;
      }
      // The last shard: the final outcome.
      SearchOutcome outcome;
      if (job->cancelled) {
        outcome = outcomeOf(EngineError(400, "task_cancelled_exception", "The search was cancelled"));
      } else if (job->counts.successful == 0 && job->firstError) {
        // Every shard failed: Elasticsearch's search_phase_execution_exception around the cause.
        const EngineError& cause = *job->firstError;
        json failures = json::array();
        for (const auto& r : job->results) failures.push_back({{"shard", r.shard}, {"index", r.index}, {"reason", *r.failure}});
        json error = {{"root_cause", json::array({cause.cause()})}, {"type", "search_phase_execution_exception"},
                      {"reason", "all shards failed"}, {"phase", "query"}, {"grouped", true},
                      {"failed_shards", failures}, {"caused_by", cause.cause()}};
        const int status = cause.status();
        outcome = {status, json{{"error", error}, {"status", status}}.dump()};
      } else {
        try {
          outcome = {200, reduceResults(job->request, job->results, job->counts, job->typedKeys, took).dump()};
        } catch (const EngineError& e) {
          outcome = outcomeOf(e);
        } catch (const nlohmann::json::exception& e) {
          outcome = outcomeOf(jsonValueError(e));
        }
      }
      job->onDone(std::move(outcome));
    };
    executors_.postBlocking(std::move(work));
  }
}

}  // namespace orrery::data
