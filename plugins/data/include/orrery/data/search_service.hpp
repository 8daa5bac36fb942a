// The `data` plugin's contract: the search service.
//
// Setup: other plugins register search strategies by name (`registerStrategy`); the
// bundled ones are `local` (the embedded engine, the default) and, per config,
// `elasticsearch`. Start: `search(indexExpression, requestBodyJson, options, onProgress)`
// runs a search with the named (or default) strategy. While it runs, onProgress is called
// after each shard with the shard counts and the response reduced from the shards done so
// far (hits total so far, partial aggregations); the task then yields the final response.
// Nothing blocks an I/O thread; cancelling `options.cancellation` stops the search, which
// then ends with a task_cancelled_exception outcome.
#pragma once

#include <functional>
#include <memory>
#include <orrery/cancellation.hpp>
#include <orrery/task.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::data {

struct SearchOptions {
  CancellationToken cancellation;
  std::string user;
  std::string sessionId;
  // Empty: the default strategy (`data.search.defaultStrategy`).
  std::string strategy;
  // URI parameters of an Elasticsearch search (q, from, size, sort, typed_keys, ...).
  std::vector<std::pair<std::string, std::string>> parameters;
};

struct SearchProgress {
  int total = 0;
  int successful = 0;
  int failed = 0;
  int skipped = 0;
  // The Elasticsearch response reduced from the shards finished so far (JSON text).
  std::string partialResponse;
};

// The end of a search: an Elasticsearch response body, or an Elasticsearch error body
// with its HTTP status.
struct SearchOutcome {
  int status = 200;
  std::string body;
  bool ok() const { return status < 300; }
};

using ProgressCallback = std::function<void(const SearchProgress&)>;
using DoneCallback = std::function<void(SearchOutcome)>;

class SearchStrategy {
 public:
  virtual ~SearchStrategy() = default;
  // Starts the search and returns at once; `onProgress` and then `onDone` (exactly once)
  // are called later, in that order, possibly on the blocking pool: they must not block.
  virtual void search(const std::string& indexExpression, const std::string& requestBodyJson,
                      const SearchOptions& options, ProgressCallback onProgress, DoneCallback onDone) = 0;
};

// A remote cluster's answer to one request: `reached` false when no node answered
// (`failure` says why), or the request was cancelled.
struct ClusterAnswer {
  bool reached = false;
  int status = 0;
  std::string body;
  std::string failure;
};

// The remote cluster behind a strategy (`elasticsearch`), for the requests other plugins
// pass through to it — async search sends the cluster's own _async_search. Shares the
// strategy's nodes, credentials, TLS and retries. Added in data.search.start@1's second
// revision (SearchStart::remoteCluster, appended).
class RemoteCluster {
 public:
  virtual ~RemoteCluster() = default;
  // METHOD /segment/segment...?parameters with `body` (JSON, may be empty). Each segment is
  // percent-encoded here (an index expression keeps its commas and wildcards).
  virtual Task<ClusterAnswer> send(std::string method, std::vector<std::string> segments,
                                   std::vector<std::pair<std::string, std::string>> parameters, std::string body,
                                   CancellationToken cancellation) = 0;
};

class SearchSetup {
 public:
  static constexpr std::string_view kContractId = "data.search.setup@1";
  virtual ~SearchSetup() = default;
  // Throws std::invalid_argument for a name already taken.
  virtual void registerStrategy(const std::string& name, std::shared_ptr<SearchStrategy> strategy) = 0;
};

class SearchStart {
 public:
  static constexpr std::string_view kContractId = "data.search.start@1";
  virtual ~SearchStart() = default;
  virtual Task<SearchOutcome> search(std::string indexExpression, std::string requestBodyJson, SearchOptions options,
                                     ProgressCallback onProgress = {}) = 0;
  virtual std::vector<std::string> strategies() const = 0;
  // The remote cluster strategy `name` (empty: the default) searches, or nullptr when it
  // is not one. (Appended: callers built before it never call it.)
  virtual std::shared_ptr<RemoteCluster> remoteCluster(const std::string& name) const = 0;
};

}  // namespace orrery::data
