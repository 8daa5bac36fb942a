#include "local_strategy.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <vector>
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
  // Shards finished since the last partial reduce, and how many partial reduces ran.
  int sinceReduce = 0;
  int partialReduces = 0;
};

SearchOutcome outcomeOf(const EngineError& error) { return {error.status(), error.body().dump()}; }

bool typedKeysParam(const SearchOptions& options) {
  for (const auto& [key, value] : options.parameters) {
    if (key == "typed_keys") return value.empty() || value == "true";
  }
  return false;
}

// One shard's result or failure; the last shard to report produces the final outcome.
void record(const std::shared_ptr<Job>& job, const Index& index, const Shard& shard, std::optional<ShardResult> result,
            std::optional<EngineError> error) {
  std::lock_guard lock(job->mutex);
  if (result) {
    job->results.push_back(std::move(*result));
    ++job->counts.successful;
  } else {
    ++job->counts.failed;
    if (!job->firstError || error->type() == "task_cancelled_exception") job->firstError = error;
    ShardResult failed;
    failed.index = index.name();
    failed.shard = shard.number();
    failed.failure = error->cause();
    job->results.push_back(std::move(failed));
  }
  --job->remaining;
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - job->started).count();
  if (job->remaining > 0) {
    // A partial reduce every batchedReduceSize shards, reported under the job's lock, so
    // progress arrives in order and before the end.
    if (job->onProgress && ++job->sinceReduce >= job->request.batchedReduceSize) {
      job->sinceReduce = 0;
      try {
        json partial = reduceResults(job->request, job->results, job->counts, job->typedKeys, took);
        ++job->partialReduces;
        partial["num_reduce_phases"] = job->partialReduces;
        // Shards still to come may add hits: the total so far is a lower bound.
        if (auto hits = partial.find("hits"); hits != partial.end() && hits->is_object()) {
          if (auto total = hits->find("total"); total != hits->end() && total->is_object()) (*total)["relation"] = "gte";
        }
        job->onProgress(SearchProgress{job->counts.total, job->counts.successful, job->counts.failed, job->counts.skipped,
                                       partial.dump()});
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
    // Every shard failed: Elasticsearch's search_phase_execution_exception around the cause
    // (429 when the shards were refused by a full search queue, as Elasticsearch answers).
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
      json response = reduceResults(job->request, job->results, job->counts, job->typedKeys, took);
      // Elasticsearch shows the count only when more than the final reduce ran.
      if (job->partialReduces > 0) response["num_reduce_phases"] = job->partialReduces + 1;
      outcome = {200, response.dump()};
    } catch (const EngineError& e) {
      outcome = outcomeOf(e);
    } catch (const nlohmann::json::exception& e) {
      outcome = outcomeOf(jsonValueError(e));
    }
  }
  job->onDone(std::move(outcome));
}

EngineError rejected(const RejectedExecution& error) { return EngineError(429, "es_rejected_execution_exception", error.what()); }

// On the search pool: parses the request, resolves the indices (which may open their
// files), then queues one task per shard on the same pool. A shard refused by a full
// queue fails as Elasticsearch's do, with es_rejected_execution_exception.
void prepareAndFanOut(const std::shared_ptr<Job>& job, Engine& engine, Executors& executors, const DepthLimits& limits,
                      const std::string& indexExpression, const std::string& requestBodyJson,
                      const std::vector<std::pair<std::string, std::string>>& parameters,
                      const CancellationToken& cancellation) {
  try {
    json body = nullptr;
    if (!requestBodyJson.empty()) {
      body = parseBoundedJson(requestBodyJson, limits.json);
      if (body.is_discarded()) throw parsingError("request body is not valid JSON");
    }
    job->request = parseSearchRequest(body, limits);
    applySearchParameters(job->request, parameters, limits);
    job->request.maxBuckets = engine.maxBuckets();
    bool ignoreUnavailable = false;
    for (const auto& [key, value] : parameters) {
      if (key == "ignore_unavailable") ignoreUnavailable = value == "true" || value.empty();
    }
    job->indices = engine.resolve(indexExpression, ignoreUnavailable);
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
  job->registration = cancellation.onCancel([weak = std::weak_ptr<Job>(job)] {
    if (auto j = weak.lock()) j->cancelled = true;
  });
  const auto shardWork = [&job](std::shared_ptr<Index> index, Shard* shard) {
    return [job, index = std::move(index), shard]() {
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
      record(job, *index, *shard, std::move(result), std::move(error));
    };
  };
  // The first shard runs here, on this search thread: a search holds at most its own
  // thread plus the queue slots of its other shards.
  for (std::size_t i = 1; i < shards.size(); ++i) {
    const auto& [index, shard] = shards[i];
    try {
      executors.postBlockingOn(Pool::search, shardWork(index, shard));
    } catch (const RejectedExecution& refused) {
      record(job, *index, *shard, std::nullopt, rejected(refused));
    }
  }
  shardWork(shards.front().first, shards.front().second)();
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
  // Nothing is parsed here, on the caller's (I/O) thread: the request is copied to the
  // search pool as it came. `options` lives only during this call.
  auto prepare = [job, engine = engine_, executors = &executors_, limits = limits_, indexExpression, requestBodyJson,
                  parameters = options.parameters, cancellation = options.cancellation] {
    prepareAndFanOut(job, *engine, *executors, limits, indexExpression, requestBodyJson, parameters, cancellation);
  };
  try {
    executors_.postBlockingOn(Pool::search, std::move(prepare));
  } catch (const RejectedExecution& refused) {
    job->onDone(outcomeOf(rejected(refused)));
  }
}

}  // namespace orrery::data
