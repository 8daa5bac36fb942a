#include "remote_strategy.hpp"

#include <nlohmann/json.hpp>

#include "search_service.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

// RFC 3986 unreserved characters pass; `keep` adds characters that are safe where the
// text goes (a comma list of index patterns).
std::string percentEncode(const std::string& text, std::string_view keep = {}) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || keep.find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

int shardCount(const json& shards, const char* key) {
  const auto it = shards.find(key);
  return it != shards.end() && it->is_number_integer() ? it->get<int>() : 0;
}

// The cluster answers once, so there is one progress report: its shard counts and the
// response itself (a partial response when the cluster had shard failures).
void reportProgress(const ProgressCallback& onProgress, const std::string& body) {
  if (!onProgress) return;
  const auto parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) return;
  const auto shards = parsed.find("_shards");
  if (shards == parsed.end() || !shards->is_object()) return;
  try {
    onProgress(SearchProgress{shardCount(*shards, "total"), shardCount(*shards, "successful"),
                              shardCount(*shards, "failed"), shardCount(*shards, "skipped"), body});
  } catch (...) {
    // a failing progress listener does not stop the search
  }
}

}  // namespace

std::string searchTarget(const std::string& indexExpression, const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string target = "/";
  if (!indexExpression.empty()) {
    target += percentEncode(indexExpression, ",*");
    target += '/';
  }
  target += "_search";
  char separator = '?';
  for (const auto& [key, value] : parameters) {
    target += separator;
    separator = '&';
    target += percentEncode(key);
    // A bare flag (`typed_keys`) stays bare: Elasticsearch reads it as true.
    if (!value.empty()) {
      target += '=';
      target += percentEncode(value);
    }
  }
  return target;
}

SearchOutcome unreachableOutcome(const ClusterResponse& response) {
  if (response.failures.empty()) {
    return errorOutcome(502, "connect_transport_exception", "no node of the remote cluster is configured");
  }
  bool allTimedOut = true;
  for (const auto& failure : response.failures) allTimedOut = allTimedOut && failure.timedOut;
  std::string reason = "no node of the remote cluster could be reached: ";
  reason += response.describeFailures();
  // A gateway's statuses: the cluster is behind us, and it did not answer in time (504)
  // or could not be reached at all (502).
  if (allTimedOut) return errorOutcome(504, "timeout_exception", reason);
  return errorOutcome(502, "connect_transport_exception", reason);
}

void RemoteStrategy::search(const std::string& indexExpression, const std::string& requestBodyJson,
                            const SearchOptions& options, ProgressCallback onProgress, DoneCallback onDone) {
  ClusterRequest request;
  request.method = "POST";
  request.target = searchTarget(indexExpression, options.parameters);
  request.body = requestBodyJson;
  auto work = [client = client_, request = std::move(request), cancellation = options.cancellation, stop = stop_,
               onProgress = std::move(onProgress), onDone = std::move(onDone)]() {
    // Either the caller's token or the plugin's stop aborts the request.
    // Either the caller's token or the plugin's stop aborts the request. Shared: a cancel
    // already running its callbacks may outlive the registrations.
    auto either = std::make_shared<CancellationSource>();
    auto fromCaller = cancellation.onCancel([either] { either->cancel(); });
    auto fromStop = stop.onCancel([either] { either->cancel(); });
    const auto response = client->send(request, either->token());
    fromCaller = {};
    fromStop = {};
    switch (response.kind) {
      case ClusterResponse::Kind::cancelled:
        onDone(errorOutcome(400, "task_cancelled_exception", "The search was cancelled"));
        return;
      case ClusterResponse::Kind::unreachable:
        onDone(unreachableOutcome(response));
        return;
      case ClusterResponse::Kind::answered:
        if (response.status < 300) reportProgress(onProgress, response.body);
        onDone(SearchOutcome{response.status, response.body});
        return;
    }
  };
  executors_.postBlocking(std::move(work));
}

}  // namespace orrery::data
