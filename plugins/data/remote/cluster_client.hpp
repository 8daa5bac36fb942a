// A small blocking HTTP client for a remote Elasticsearch-compatible cluster (libcurl):
// the configured nodes, Basic or ApiKey authentication, TLS verified against the CA
// file, a connect and total time limit per attempt. A request that cannot reach a node,
// or that a node answers with 502/503/504, is retried on another node, at most
// maxRetries times, each node at most once per request; an attempt that timed out after
// connecting is retried only with retryOnTimeout (see ClusterConfig). Nodes that failed
// are skipped for a cooldown while others can answer (NodePool). A CancellationToken
// wakes the transfer in flight at once (curl_multi_wakeup) and aborts it.
//
// send() blocks: call it on the blocking pool, never on an I/O thread.
#pragma once

#include <mutex>
#include <orrery/cancellation.hpp>
#include <string>
#include <vector>

#include "cluster_config.hpp"
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

  ClusterResponse send(const ClusterRequest& request, const CancellationToken& cancellation);
  const ClusterConfig& config() const { return config_; }
  // Which nodes are cooling down after a failure (read by tests and status).
  const NodePool& nodes() const { return nodes_; }

 private:
  struct Attempt;
  struct Transfer;
  struct CancelSignal;
  Attempt attempt(const std::string& node, const ClusterRequest& request, CancelSignal& signal);
  // An idle transfer (with its open connections to the nodes), or a new one; null if
  // curl cannot make one.
  Transfer* takeTransfer();
  void returnTransfer(Transfer* transfer);

  ClusterConfig config_;
  NodePool nodes_;
  // Transfers between requests: each keeps its kept-alive connections (and TLS sessions),
  // so a search does not pay a new TCP and TLS handshake.
  std::mutex idleMutex_;
  std::vector<Transfer*> idle_;
};

}  // namespace orrery::data
