// The data contract's RemoteCluster over the `elasticsearch` strategy's ClusterClient:
// requests other plugins pass through to the cluster (async search's _async_search), on
// the same nodes with the same credentials and retries; the curl thread waits, never a
// pool thread, and the caller resumes on an I/O thread.
#pragma once

#include <memory>
#include <orrery/data/search_service.hpp>
#include <orrery/executors.hpp>

#include "cluster_client.hpp"

namespace orrery::data {

class ClusterGateway final : public RemoteCluster {
 public:
  ClusterGateway(std::shared_ptr<ClusterClient> client, Executors& executors)
      : client_(std::move(client)), executors_(executors) {}

  Task<ClusterAnswer> send(std::string method, std::vector<std::string> segments,
                           std::vector<std::pair<std::string, std::string>> parameters, std::string body,
                           CancellationToken cancellation) override;

 private:
  std::shared_ptr<ClusterClient> client_;
  Executors& executors_;
};

// "/seg/seg?k=v&..." with each part percent-encoded (commas and wildcards kept in segments).
std::string clusterTarget(const std::vector<std::string>& segments,
                          const std::vector<std::pair<std::string, std::string>>& parameters);

}  // namespace orrery::data
