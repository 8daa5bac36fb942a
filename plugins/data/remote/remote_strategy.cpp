#include "remote_strategy.hpp"

#include <nlohmann/json.hpp>

#include "search_service.hpp"

namespace orrery::data {

std::string percentEncode(const std::string& text, std::string_view keep) {
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

namespace {

using json = nlohmann::json;

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

namespace {

SearchOutcome outcomeOf(const ClusterResponse& response) {
  switch (response.kind) {
    case ClusterResponse::Kind::cancelled:
      return errorOutcome(400, "task_cancelled_exception", "The search was cancelled");
    case ClusterResponse::Kind::unreachable:
      return unreachableOutcome(response);
    case ClusterResponse::Kind::answered:
      break;
  }
  return SearchOutcome{response.status, response.body};
}

}  // namespace

void RemoteStrategy::search(const std::string& indexExpression, const std::string& requestBodyJson,
                            const SearchOptions& options, ProgressCallback onProgress, DoneCallback onDone) {
  ClusterRequest request;
  request.method = "POST";
  request.target = searchTarget(indexExpression, options.parameters);
  request.body = requestBodyJson;
  // Either the caller's token or the plugin's stop aborts the request. Shared: a cancel
  // already running its callbacks may outlive the registrations, which live until the
  // answer is in.
  struct Watch {
    CancellationSource either;
    CancellationRegistration fromCaller;
    CancellationRegistration fromStop;
  };
  auto watch = std::make_shared<Watch>();
  auto either = std::shared_ptr<CancellationSource>(watch, &watch->either);
  watch->fromCaller = options.cancellation.onCancel([either] { either->cancel(); });
  watch->fromStop = stop_.onCancel([either] { either->cancel(); });
  // Runs on the client's curl thread, which drives every remote search: quick work only.
  // Progress needs the response parsed, which is the search pool's job.
  auto done = [watch, executors = &executors_, onProgress = std::move(onProgress),
               onDone = std::move(onDone)](ClusterResponse response) mutable {
    watch->fromCaller = {};
    watch->fromStop = {};
    const bool progress = onProgress && response.kind == ClusterResponse::Kind::answered && response.status < 300;
    auto outcome = std::make_shared<SearchOutcome>(outcomeOf(response));
    if (!progress) {
      onDone(std::move(*outcome));
      return;
    }
    auto report = [outcome, onProgress, onDone] {
      reportProgress(onProgress, outcome->body);
      onDone(std::move(*outcome));
    };
    try {
      executors->postBlockingOn(Pool::search, std::move(report));
    } catch (const RejectedExecution&) {
      onDone(std::move(*outcome));  // the answer without its progress report
    }
  };
  client_->sendAsync(std::move(request), either->token(), std::move(done));
}

}  // namespace orrery::data
