// A small blocking HTTP client for a remote Elasticsearch-compatible cluster (libcurl):
// the configured nodes, Basic or ApiKey authentication, TLS verified against the CA
// file, a connect and total time limit per attempt. A request that cannot reach a node,
// or that a node answers with 502/503/504, is retried on another node, at most
// maxRetries times, each node at most once per request; an attempt that timed out after
// connecting is retried only with retryOnTimeout (see ClusterConfig). Nodes that failed
// are skipped for a cooldown while others can answer (NodePool). A CancellationToken
// wakes the transfer in flight at once (curl_multi_wakeup) and aborts it.
//
// Every transfer runs on the client's one curl event thread (CurlDriver): sendAsync()
// returns at once and the completion runs on that thread when the answer (or the last
// failure) is in, so no pool thread waits for a slow cluster. send() is the blocking form
// (tests, tools): never on an I/O thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <orrery/cancellation.hpp>
#include <string>
#include <vector>

#include "cluster_config.hpp"
#include "curl_driver.hpp"
#include "node_pool.hpp"

namespace orrery::data {

struct ClusterRequest {
  std::string method = "POST";
  // The path and query after the node URL, starting with '/', already percent-encoded.
  std::string target;
  std::string body;
};

// Why one node did not give the answer.
struct NodeFailure {
  std::string node;
  std::string reason;
  bool timedOut = false;
};

struct ClusterResponse {
  enum class Kind {
    answered,     // a node answered: status and body are its response, unchanged
    unreachable,  // no node answered (or each answered 502/503/504 -- then `answered`)
    cancelled,    // the token was cancelled before or during the request
  };
  Kind kind = Kind::unreachable;
  int status = 0;
  std::string body;
  // The node that answered.
  std::string node;
  // Every node tried without an answer used, in order.
  std::vector<NodeFailure> failures;

  // "http://a: reason; http://b: reason".
  std::string describeFailures() const;
};

class ClusterClient {
 public:
  explicit ClusterClient(ClusterConfig config);
  ~ClusterClient();
  ClusterClient(const ClusterClient&) = delete;
  ClusterClient& operator=(const ClusterClient&) = delete;

  // `done` runs exactly once: on the curl event thread, or on this thread when nothing
  // could be sent (no node, cancelled before the start). It must be quick.
  void sendAsync(ClusterRequest request, const CancellationToken& cancellation,
                 std::function<void(ClusterResponse)> done);
  ClusterResponse send(const ClusterRequest& request, const CancellationToken& cancellation);
  const ClusterConfig& config() const { return config_; }
  // Which nodes are cooling down after a failure (read by tests and status).
  const NodePool& nodes() const { return nodes_; }

 private:
  struct Attempt;
  struct Transfer;
  struct Exchange;
  // Starts the next attempt of `exchange`, or finishes it when none is left.
  void startNext(const std::shared_ptr<Exchange>& exchange);
  void attemptEnded(const std::shared_ptr<Exchange>& exchange, std::size_t node, std::optional<CURLcode> code);
  // Whether to go on to another node after this attempt (and records its failure).
  bool judge(Exchange& exchange, std::size_t node, Attempt result);
  void finish(const std::shared_ptr<Exchange>& exchange);
  // A configured transfer to `node`, or the reason none can be made.
  std::unique_ptr<Transfer> prepare(const std::string& node, const ClusterRequest& request, std::string& problem);
  // An idle easy handle (with its TLS session cache), or a new one; null if curl cannot.
  CURL* takeEasy();
  void returnEasy(CURL* easy);
  CurlDriver* driver(std::string& problem);

  ClusterConfig config_;
  NodePool nodes_;
  // Easy handles between requests: each keeps its TLS session cache (the driver's multi
  // handle keeps the connections), so a search does not pay a new handshake.
  std::mutex idleMutex_;
  std::vector<CURL*> idle_;
  // Made on the first request; stopped first on destruction (its completions use the
  // members above).
  std::once_flag driverOnce_;
  std::unique_ptr<CurlDriver> driver_;
  std::string driverProblem_;
};

}  // namespace orrery::data
