// The remote cluster as configured under `data.elasticsearch.*`: node URLs, credentials,
// the CA file and the time limit of one request, and the checks that refuse a bad
// configuration at setup with a message naming the key.
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
