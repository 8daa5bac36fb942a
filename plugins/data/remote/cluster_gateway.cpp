#include "cluster_gateway.hpp"

#include <atomic>
#include <coroutine>

#include "remote_strategy.hpp"

namespace orrery::data {
namespace {

ClusterAnswer answerOf(const ClusterResponse& response) {
  switch (response.kind) {
    case ClusterResponse::Kind::answered: return {true, response.status, response.body, {}};
    case ClusterResponse::Kind::cancelled: return {false, 0, {}, "the request was cancelled"};
    case ClusterResponse::Kind::unreachable: break;
  }
  return {false, 0, {}, "no node of the remote cluster could be reached: " + response.describeFailures()};
}

// Suspends until the client's answer; resumes on an I/O thread (the same race as the
// search service's: the answer may come before await_suspend returns).
struct AnswerAwaiter {
  struct State {
    ClusterAnswer answer;
    std::coroutine_handle<> handle;
    std::atomic<bool> raced{false};
  };
  ClusterClient& client;
  Executors& executors;
  ClusterRequest request;
  CancellationToken cancellation;
  std::shared_ptr<State> state = std::make_shared<State>();

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> handle) {
    auto shared = state;
    Executors* ex = &executors;
    shared->handle = handle;
    client.sendAsync(std::move(request), cancellation, [shared, ex](ClusterResponse response) {
      shared->answer = answerOf(response);
      if (shared->raced.exchange(true)) ex->post([shared] { shared->handle.resume(); });
    });
    // Nothing of this awaiter is touched after the exchange.
    return !shared->raced.exchange(true);
  }
  ClusterAnswer await_resume() { return std::move(state->answer); }
};

}  // namespace

std::string clusterTarget(const std::vector<std::string>& segments,
                          const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string target;
  for (const auto& segment : segments) {
    target.push_back('/');
    target.append(percentEncode(segment, ",*"));
  }
  if (target.empty()) target.push_back('/');
  char separator = '?';
  for (const auto& [key, value] : parameters) {
    target += separator;
    separator = '&';
    target += percentEncode(key);
    if (!value.empty()) target.append("=").append(percentEncode(value));
  }
  return target;
}

Task<ClusterAnswer> ClusterGateway::send(std::string method, std::vector<std::string> segments,
                                         std::vector<std::pair<std::string, std::string>> parameters, std::string body,
                                         CancellationToken cancellation) {
  ClusterRequest request{std::move(method), clusterTarget(segments, parameters), std::move(body)};
  // Named, not a temporary in the co_await: g++ 12 destroys such temporaries twice.
  AnswerAwaiter awaiter{*client_, executors_, std::move(request), std::move(cancellation)};
  ClusterAnswer answer = co_await awaiter;
  co_return answer;
}

}  // namespace orrery::data
