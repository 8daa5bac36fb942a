// Strategy `elasticsearch`: sends the search to a remote Elasticsearch or OpenSearch
// cluster (`POST <node>/<index>/_search` with the body and URI parameters) through the
// ClusterClient, whose one curl thread waits for every remote search (no pool thread
// waits), reports the cluster's shard counts and response as progress (parsed on the
// search pool), and ends with the cluster's status and body unchanged. When no node can be
// reached the outcome is an Elasticsearch-shaped error naming every node and why.
#pragma once

#include <memory>
#include <orrery/data/search_service.hpp>
#include <orrery/executors.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster_client.hpp"

namespace orrery::data {

class RemoteStrategy final : public SearchStrategy {
 public:
  // `stop` (the plugin's stop token) aborts requests in flight when the plugin stops.
  RemoteStrategy(std::shared_ptr<ClusterClient> client, Executors& executors, CancellationToken stop = {})
      : client_(std::move(client)), executors_(executors), stop_(std::move(stop)) {}

  void search(const std::string& indexExpression, const std::string& requestBodyJson, const SearchOptions& options,
              ProgressCallback onProgress, DoneCallback onDone) override;

 private:
  std::shared_ptr<ClusterClient> client_;
  Executors& executors_;
  CancellationToken stop_;
};

// RFC 3986 unreserved characters pass; `keep` adds characters that are safe where the
// text goes (a comma list of index patterns).
std::string percentEncode(const std::string& text, std::string_view keep = {});

// "/<index>/_search?k=v&..." with the index and parameters percent-encoded (commas and
// wildcards of the index expression kept); an empty expression searches "/_search".
std::string searchTarget(const std::string& indexExpression, const std::vector<std::pair<std::string, std::string>>& parameters);

// What a search ends with when the client gave no answer from the cluster.
SearchOutcome unreachableOutcome(const ClusterResponse& response);

}  // namespace orrery::data
