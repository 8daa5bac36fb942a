// The remote cluster as configured under `data.elasticsearch.*`: node URLs, credentials,
// the CA file, the time limit of one attempt, how often a request is retried and how long
// a failed node is skipped, and the checks that refuse a bad configuration at setup with a
// message naming the key.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace orrery::data {

struct ClusterConfig {
  // Node URLs without a trailing slash; a path prefix (a proxy, another Orrery's /es) is kept.
  std::vector<std::string> hosts;
  std::string username;
  std::string password;
  // The encoded id:key form, sent as `Authorization: ApiKey <apiKey>`.
  std::string apiKey;
  // PEM file of the CA that signs the https nodes' certificates; empty: the system's CAs.
  std::string certificateAuthority;
  std::chrono::milliseconds requestTimeout{30000};
  // Further attempts after the first, each on another node (the Elasticsearch JavaScript
  // client's maxRetries, default 3). A request makes at most maxRetries + 1 attempts.
  int maxRetries = 3;
  // Whether an attempt that timed out after connecting is retried. No by default, as the
  // Elasticsearch JavaScript client (retryOnTimeout: false): the slow search may still be
  // running on the cluster, and a second node would likely be as slow, doubling the wait
  // and the cluster's load. A connect that times out is a connection failure: retried.
  bool retryOnTimeout = false;
  // A node that failed (refused, unreachable, 502/503/504) is skipped for this long, twice
  // as long after each further consecutive failure, at most deadNodeCooldownMax; zero
  // never skips a node. When every node is cooling down they are all tried anyway.
  std::chrono::milliseconds deadNodeCooldown{5000};
  std::chrono::milliseconds deadNodeCooldownMax{300000};
};

// A configuration the plugin refuses; the message starts with the full key.
class ClusterConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Checks `config` (keys named under `prefix`, e.g. "data.elasticsearch") and strips
// trailing slashes from the host URLs. Throws ClusterConfigError for the first problem.
ClusterConfig validateClusterConfig(ClusterConfig config, const std::string& prefix);

// Throws ClusterConfigError (naming `key`) if `defaultStrategy` is elasticsearch but
// no hosts are configured.
void checkDefaultStrategy(const std::string& defaultStrategy, const ClusterConfig& config, const std::string& key,
                          const std::string& hostsKey);

}  // namespace orrery::data
