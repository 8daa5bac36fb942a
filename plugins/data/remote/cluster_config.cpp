#include "cluster_config.hpp"

#include <filesystem>
#include <system_error>

namespace orrery::data {
namespace {

ClusterConfigError problem(const std::string& key, const std::string& text) {
  std::string message = key;
  message.append(": ").append(text);
  return ClusterConfigError(message);
}

// "http://host[:port][/prefix]" or https: the scheme and a host are required; what
// follows the host is left to curl, which names a bad port itself.
void checkUrl(const std::string& url, const std::string& key) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = std::string_view(url).substr(7);
  } else if (url.starts_with("https://")) {
    rest = std::string_view(url).substr(8);
  } else {
    throw problem(key, "[" + url + "] must start with http:// or https://");
  }
  const auto end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, end);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    throw problem(key, "[" + url + "] carries credentials; use the username and password or apiKey settings");
  }
  const auto host = authority.starts_with('[') ? authority.substr(0, authority.find(']') + 1)
                                               : authority.substr(0, authority.find(':'));
  if (host.empty()) throw problem(key, "[" + url + "] has no host");
  if (end != std::string_view::npos && rest[end] != '/') {
    throw problem(key, "[" + url + "] may carry a path prefix but no query or fragment");
  }
}

}  // namespace

ClusterConfig validateClusterConfig(ClusterConfig config, const std::string& prefix) {
  for (std::size_t i = 0; i < config.hosts.size(); ++i) {
    auto& url = config.hosts[i];
    checkUrl(url, prefix + ".hosts[" + std::to_string(i) + "]");
    while (url.ends_with('/')) url.pop_back();
  }
  if (!config.password.empty() && config.username.empty()) {
    throw problem(prefix + ".password", "is set but " + prefix + ".username is not");
  }
  if (!config.apiKey.empty() && !config.password.empty()) {
    throw problem(prefix + ".apiKey", "and " + prefix + ".password are both set; use one of them");
  }
  if (config.requestTimeout.count() <= 0) throw problem(prefix + ".requestTimeout", "must be at least 1ms");
  if (config.maxRetries < 0) {
    std::string text = "must be 0 or more, got ";
    text += std::to_string(config.maxRetries);
    throw problem(prefix + ".maxRetries", text);
  }
  if (config.deadNodeCooldown.count() < 0) throw problem(prefix + ".deadNodeCooldown", "must not be negative");
  if (config.deadNodeCooldownMax < config.deadNodeCooldown) {
    // Built by append: g++ 12 -O3 warns (-Wrestrict) on chained operator+.
    std::string text = "(";
    text.append(std::to_string(config.deadNodeCooldownMax.count())).append("ms) is shorter than ").append(prefix);
    text.append(".deadNodeCooldown (").append(std::to_string(config.deadNodeCooldown.count())).append("ms)");
    throw problem(prefix + ".deadNodeCooldownMax", text);
  }
  if (!config.certificateAuthority.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config.certificateAuthority, ec)) {
      throw problem(prefix + ".ssl.certificateAuthority", "no such file: " + config.certificateAuthority);
    }
  }
  return config;
}

void checkDefaultStrategy(const std::string& defaultStrategy, const ClusterConfig& config, const std::string& key,
                          const std::string& hostsKey) {
  if (defaultStrategy == "elasticsearch" && config.hosts.empty()) {
    throw problem(key, "is 'elasticsearch' but " + hostsKey + " is empty; name the cluster's node URLs there");
  }
}

}  // namespace orrery::data
