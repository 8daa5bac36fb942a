#include "cluster_client.hpp"

#include <curl/curl.h>

#include <cstring>
#include <future>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>

#include "curl_global.hpp"

namespace orrery::data {
namespace {

// A search response is large at worst (10,000 hits); beyond this it is not one.
constexpr std::size_t kMaxResponseBytes = std::size_t{512} << 20;

// At most this many idle easy handles are kept: as many as searches ran at once, bounded.
constexpr std::size_t kMaxIdleHandles = 16;

struct Received {
  std::string body;
  bool tooLarge = false;
};

std::size_t receive(char* data, std::size_t size, std::size_t count, void* out) {
  auto& received = *static_cast<Received*>(out);
  if (received.body.size() + size * count > kMaxResponseBytes) {
    received.tooLarge = true;
    return 0;
  }
  received.body.append(data, size * count);
  return size * count;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// curl's own text plus, where it differs, the system's reason for a failed connect
// ("Connection refused", "No route to host"): that is what an operator acts on.
std::string transportReason(CURL* handle, CURLcode code, const char* errorText) {
  std::string reason = errorText[0] ? errorText : curl_easy_strerror(code);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '.')) reason.pop_back();
  long systemError = 0;
  curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &systemError);
  if (systemError != 0) {
    const std::string system = std::strerror(static_cast<int>(systemError));
    if (reason.find(system) == std::string::npos) reason.append(" (").append(system).append(")");
  }
  return reason;
}

// Whether the attempt got as far as sending the request: connected, and past the TLS
// handshake on https. A timeout before that is a connection failure, after it the node
// was reached and did not answer in time.
bool reachedNode(CURL* handle) {
  curl_off_t pretransfer = 0;
  return curl_easy_getinfo(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK && pretransfer > 0;
}

bool busy(int status) { return status == 502 || status == 503 || status == 504; }

}  // namespace

// One attempt on one node: the easy handle and everything its options point into, alive
// until the driver reports the attempt's end.
struct ClusterClient::Transfer {
  CURL* easy = nullptr;
  std::string url;
  std::string apiKeyHeader;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  Received received;
  char errorText[CURL_ERROR_SIZE] = {};
};

struct ClusterClient::Attempt {
  bool answered = false;
  // Reached the node, then no answer within the request timeout.
  bool timedOut = false;
  // The failure is the node's (cannot connect, TLS, connection lost): it is dead for a
  // while, and another node may answer.
  bool nodeFailed = false;
  int status = 0;
  std::string body;
  std::string reason;
};

// One request, across its attempts. `mutex` guards what a cancel (on any thread) and the
// attempts (on the driver thread, or the caller's for the first) share.
struct ClusterClient::Exchange {
  ClusterRequest request;
  std::function<void(ClusterResponse)> done;
  std::vector<std::size_t> order;
  std::size_t attempts = 0;
  std::size_t next = 0;
  ClusterResponse response;
  std::optional<Attempt> lastBusy;
  std::string lastBusyNode;
  std::unique_ptr<Transfer> transfer;
  CancellationRegistration registration;

  std::mutex mutex;
  bool cancelled = false;
  std::optional<CurlDriver::Id> running;
};

std::string ClusterResponse::describeFailures() const {
  std::string text;
  for (const auto& failure : failures) {
    if (!text.empty()) text += "; ";
    text.append(failure.node).append(": ").append(failure.reason);
  }
  return text;
}

ClusterClient::ClusterClient(ClusterConfig config)
    : config_(std::move(config)),
      nodes_(config_.hosts.size(), config_.deadNodeCooldown, config_.deadNodeCooldownMax) {}

ClusterClient::~ClusterClient() {
  // First: the driver ends what still runs, and those completions use the members.
  driver_.reset();
  for (auto* easy : idle_) curl_easy_cleanup(easy);
}

CurlDriver* ClusterClient::driver(std::string& problem) {
  std::call_once(driverOnce_, [this] {
    try {
      driver_ = std::make_unique<CurlDriver>();
    } catch (const std::exception& e) {
      driverProblem_ = e.what();
    }
  });
  problem = driverProblem_;
  return driver_.get();
}

CURL* ClusterClient::takeEasy() {
  {
    std::lock_guard lock(idleMutex_);
    if (!idle_.empty()) {
      auto* easy = idle_.back();
      idle_.pop_back();
      return easy;
    }
  }
  return curl_easy_init();
}

void ClusterClient::returnEasy(CURL* easy) {
  // Options back to defaults at once (they point into the finished attempt's transfer);
  // the TLS session cache stays for reuse.
  curl_easy_reset(easy);
  {
    std::lock_guard lock(idleMutex_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(easy);
      return;
    }
  }
  curl_easy_cleanup(easy);
}

std::unique_ptr<ClusterClient::Transfer> ClusterClient::prepare(const std::string& node, const ClusterRequest& request,
                                                                std::string& problem) {
  if (!config_.certificateAuthority.empty()) {
    // Checked per request: the file may have gone since setup, and curl's own message
    // for it does not name the file.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config_.certificateAuthority, ec)) {
      problem = "the CA file " + config_.certificateAuthority + " does not exist";
      return nullptr;
    }
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->easy = takeEasy();
  if (!transfer->easy) {
    problem = "cannot start an HTTP client (libcurl)";
    return nullptr;
  }
  CURL* handle = transfer->easy;
  transfer->url = node + request.target;
  curl_easy_setopt(handle, CURLOPT_URL, transfer->url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: one thread of many
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.requestTimeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.requestTimeout.count()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, transfer->errorText);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, receive);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer->received);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!config_.certificateAuthority.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, config_.certificateAuthority.c_str());
  if (!config_.username.empty()) {
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(handle, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, config_.password.c_str());
  }
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  // Without this curl waits up to a second for "100 Continue" before larger bodies.
  headers = curl_slist_append(headers, "Expect:");
  transfer->apiKeyHeader = "Authorization: ApiKey ";
  transfer->apiKeyHeader += config_.apiKey;
  if (!config_.apiKey.empty()) headers = curl_slist_append(headers, transfer->apiKeyHeader.c_str());
  transfer->headers.reset(headers);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  return transfer;
}

void ClusterClient::sendAsync(ClusterRequest request, const CancellationToken& cancellation,
                              std::function<void(ClusterResponse)> done) {
  ClusterResponse response;
  if (config_.hosts.empty()) {
    done(std::move(response));
    return;
  }
  std::string problem = initCurlGlobally();
  if (problem.empty()) driver(problem);
  if (!problem.empty()) {
    response.failures.push_back({config_.hosts.front(), "cannot start an HTTP client (libcurl): " + problem, false});
    done(std::move(response));
    return;
  }
  auto exchange = std::make_shared<Exchange>();
  exchange->request = std::move(request);
  exchange->done = std::move(done);
  exchange->order = nodes_.order(NodePool::Clock::now());
  // The first attempt and at most maxRetries more, each on another node.
  exchange->attempts = std::min(exchange->order.size(), static_cast<std::size_t>(config_.maxRetries) + 1);
  // Weak: the token's callbacks must not keep a finished request alive.
  exchange->registration = cancellation.onCancel([this, weak = std::weak_ptr<Exchange>(exchange)] {
    const auto held = weak.lock();
    if (!held) return;
    std::lock_guard lock(held->mutex);
    held->cancelled = true;
    if (held->running) driver_->cancel(*held->running);
  });
  startNext(exchange);
}

ClusterResponse ClusterClient::send(const ClusterRequest& request, const CancellationToken& cancellation) {
  std::promise<ClusterResponse> answer;
  auto future = answer.get_future();
  sendAsync(request, cancellation, [&answer](ClusterResponse response) { answer.set_value(std::move(response)); });
  return future.get();
}

void ClusterClient::startNext(const std::shared_ptr<Exchange>& exchange) {
  for (;;) {
    {
      std::lock_guard lock(exchange->mutex);
      if (exchange->cancelled || exchange->next >= exchange->attempts) break;
    }
    const auto index = exchange->order[exchange->next++];
    const auto& node = config_.hosts[index];
    std::string problem;
    exchange->transfer = prepare(node, exchange->request, problem);
    if (!exchange->transfer) {
      Attempt failed;
      failed.reason = std::move(problem);
      if (judge(*exchange, index, std::move(failed))) continue;
      break;
    }
    auto ended = [this, exchange, index](std::optional<CURLcode> code) { attemptEnded(exchange, index, code); };
    {
      // Held across the hand-over, so the attempt's end (on the driver thread) and a
      // cancel (on any thread) see `running` as it is.
      std::lock_guard lock(exchange->mutex);
      if (!exchange->cancelled) {
        exchange->running = driver_->start(exchange->transfer->easy, std::move(ended));
        if (exchange->running) return;
        // The client is being destroyed: as a cancel.
        exchange->cancelled = true;
      }
    }
    returnEasy(exchange->transfer->easy);
    exchange->transfer.reset();
    break;
  }
  finish(exchange);
}

void ClusterClient::attemptEnded(const std::shared_ptr<Exchange>& exchange, std::size_t index,
                                 std::optional<CURLcode> code) {
  {
    std::lock_guard lock(exchange->mutex);
    exchange->running.reset();
    if (!code) exchange->cancelled = true;
  }
  auto transfer = std::move(exchange->transfer);
  CURL* handle = transfer->easy;
  Attempt result;
  if (!code) {
    returnEasy(handle);
    finish(exchange);
    return;
  }
  if (*code != CURLE_OK) {
    if (transfer->received.tooLarge) {
      // The node answered; another would answer the same.
      result.reason = "the response is larger than " + std::to_string(kMaxResponseBytes >> 20) + " MiB";
    } else {
      result.reason = transportReason(handle, *code, transfer->errorText);
      result.timedOut = *code == CURLE_OPERATION_TIMEDOUT && reachedNode(handle);
      result.nodeFailed = !result.timedOut;
    }
  } else {
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    result.answered = true;
    result.status = static_cast<int>(status);
    result.body = std::move(transfer->received.body);
  }
  returnEasy(handle);
  if (judge(*exchange, index, std::move(result))) {
    startNext(exchange);
  } else {
    finish(exchange);
  }
}

bool ClusterClient::judge(Exchange& exchange, std::size_t index, Attempt result) {
  const auto& node = config_.hosts[index];
  auto& response = exchange.response;
  if (result.answered && !busy(result.status)) {
    nodes_.markAlive(index);
    response.kind = ClusterResponse::Kind::answered;
    response.status = result.status;
    response.body = std::move(result.body);
    response.node = node;
    return false;
  }
  if (result.answered) {
    // Overloaded or behind a gateway that cannot reach it: dead for a while, as the
    // Elasticsearch clients treat it.
    nodes_.markDead(index, NodePool::Clock::now());
    response.failures.push_back({node, "answered HTTP " + std::to_string(result.status), false});
    exchange.lastBusy = std::move(result);
    exchange.lastBusyNode = node;
    return true;
  }
  response.failures.push_back({node, result.reason, result.timedOut});
  const bool retry = result.nodeFailed || (result.timedOut && config_.retryOnTimeout);
  if (retry) nodes_.markDead(index, NodePool::Clock::now());
  return retry;
}

void ClusterClient::finish(const std::shared_ptr<Exchange>& exchange) {
  auto response = std::move(exchange->response);
  bool cancelled = false;
  {
    std::lock_guard lock(exchange->mutex);
    cancelled = exchange->cancelled;
  }
  if (cancelled) {
    response.kind = ClusterResponse::Kind::cancelled;
  } else if (response.kind != ClusterResponse::Kind::answered && exchange->lastBusy) {
    // Every node tried was unreachable or overloaded: the last overloaded node's own
    // answer is the most precise thing to pass on.
    response.kind = ClusterResponse::Kind::answered;
    response.status = exchange->lastBusy->status;
    response.body = std::move(exchange->lastBusy->body);
    response.node = exchange->lastBusyNode;
  }
  exchange->registration.reset();
  auto done = std::move(exchange->done);
  done(std::move(response));
}

}  // namespace orrery::data
