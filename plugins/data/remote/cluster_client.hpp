// A small blocking HTTP client for a remote Elasticsearch-compatible cluster (libcurl):
// the configured nodes, Basic or ApiKey authentication, TLS verified against the CA
// file, a connect and total time limit per attempt. A request that cannot reach a node,
// or that a node answers with 502/503/504, is retried on the next node; each node is
// tried at most once per request, starting from a node that rotates between requests.
// A CancellationToken aborts a request in flight.
//
// send() blocks: call it on the blocking pool, never on an I/O thread.
#pragma once

#include <atomic>
#include <mutex>
#include <orrery/cancellation.hpp>
#include <string>
#include <vector>

#include "cluster_config.hpp"

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

 private:
  struct Attempt;
  Attempt attempt(const std::string& node, const ClusterRequest& request, const std::atomic<bool>& cancelled);
  // An idle curl handle (with its open connections to the nodes), or a new one.
  void* takeHandle();
  void returnHandle(void* handle);

  ClusterConfig config_;
  std::atomic<std::size_t> next_{0};
  // Handles between requests: each keeps its kept-alive connections (and TLS sessions),
  // so a search does not pay a new TCP and TLS handshake.
  std::mutex idleMutex_;
  std::vector<void*> idle_;
};

}  // namespace orrery::data
