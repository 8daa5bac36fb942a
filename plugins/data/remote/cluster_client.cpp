#include "cluster_client.hpp"

#include <curl/curl.h>

#include <cstring>
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

// At most this many idle transfers are kept: as many as searches ran at once, bounded.
constexpr std::size_t kMaxIdleTransfers = 16;

// The longest one wait for the sockets lasts when curl names no earlier deadline of its
// own; cancellation does not wait for it (curl_multi_wakeup ends the wait).
constexpr int kLongestPollMs = 1000;

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

// One easy handle in a multi handle of its own: the multi handle is what can be woken
// from another thread, and it owns the connection cache the next request reuses.
struct ClusterClient::Transfer {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }
};

// What a cancel reaches, shared with the token's callback (which may run on another
// thread, and after the request ended): the flag, and the transfer in flight to wake.
struct ClusterClient::CancelSignal {
  std::mutex mutex;
  bool cancelled = false;
  CURLM* running = nullptr;

  void cancel() {
    std::lock_guard lock(mutex);
    cancelled = true;
    if (running) curl_multi_wakeup(running);
  }
  bool isCancelled() {
    std::lock_guard lock(mutex);
    return cancelled;
  }
  // False when already cancelled: the transfer must not start.
  bool begin(CURLM* multi) {
    std::lock_guard lock(mutex);
    if (cancelled) return false;
    running = multi;
    return true;
  }
  // After this no cancel touches the transfer, which may go back to the idle list.
  void end() {
    std::lock_guard lock(mutex);
    running = nullptr;
  }
};

struct ClusterClient::Attempt {
  bool answered = false;
  bool cancelled = false;
  // Reached the node, then no answer within the request timeout.
  bool timedOut = false;
  // The failure is the node's (cannot connect, TLS, connection lost): it is dead for a
  // while, and another node may answer.
  bool nodeFailed = false;
  int status = 0;
  std::string body;
  std::string reason;
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
  for (auto* transfer : idle_) delete transfer;
}

ClusterClient::Transfer* ClusterClient::takeTransfer() {
  {
    std::lock_guard lock(idleMutex_);
    if (!idle_.empty()) {
      auto* transfer = idle_.back();
      idle_.pop_back();
      return transfer;
    }
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->multi = curl_multi_init();
  transfer->easy = curl_easy_init();
  return transfer->multi && transfer->easy ? transfer.release() : nullptr;
}

void ClusterClient::returnTransfer(Transfer* transfer) {
  // Options back to defaults at once (they point into the finished attempt's frame); the
  // multi handle's live connections stay for reuse.
  curl_easy_reset(transfer->easy);
  {
    std::lock_guard lock(idleMutex_);
    if (idle_.size() < kMaxIdleTransfers) {
      idle_.push_back(transfer);
      return;
    }
  }
  delete transfer;
}

ClusterClient::Attempt ClusterClient::attempt(const std::string& node, const ClusterRequest& request,
                                              CancelSignal& signal) {
  Attempt result;
  if (!config_.certificateAuthority.empty()) {
    // Checked per request: the file may have gone since setup, and curl's own message
    // for it does not name the file.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(config_.certificateAuthority, ec)) {
      result.reason = "the CA file " + config_.certificateAuthority + " does not exist";
      return result;
    }
  }
  Transfer* transfer = takeTransfer();
  if (!transfer) {
    result.reason = "cannot start an HTTP client (libcurl)";
    return result;
  }
  // Back to the idle list however this attempt ends.
  const auto giveBack = [this](Transfer* t) { returnTransfer(t); };
  std::unique_ptr<Transfer, decltype(giveBack)> owned(transfer, giveBack);
  CURL* handle = transfer->easy;
  const std::string url = node + request.target;
  char errorText[CURL_ERROR_SIZE] = {};
  Received received;
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: one thread of many
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.requestTimeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.requestTimeout.count()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorText);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, receive);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &received);
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
  std::string apiKeyHeader = "Authorization: ApiKey ";
  apiKeyHeader += config_.apiKey;
  if (!config_.apiKey.empty()) headers = curl_slist_append(headers, apiKeyHeader.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headerList(headers);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  if (!signal.begin(transfer->multi)) {
    result.cancelled = true;
    result.reason = "cancelled";
    return result;
  }
  curl_multi_add_handle(transfer->multi, handle);
  // Driven here rather than by curl_easy_perform, whose waits a cancel could only end at
  // the next progress callback (up to a second later): a cancel wakes this poll at once.
  std::optional<CURLcode> code;
  std::string multiFailure;
  for (;;) {
    int running = 0;
    CURLMcode step = curl_multi_perform(transfer->multi, &running);
    if (step == CURLM_OK && running == 0) {
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(transfer->multi, &left)) {
        if (message->msg == CURLMSG_DONE) code = message->data.result;
      }
      if (!code) multiFailure = "the transfer ended without a result";
      break;
    }
    if (step == CURLM_OK && signal.isCancelled()) break;
    if (step == CURLM_OK) step = curl_multi_poll(transfer->multi, nullptr, 0, kLongestPollMs, nullptr);
    if (step != CURLM_OK) {
      multiFailure = curl_multi_strerror(step);
      break;
    }
  }
  signal.end();
  curl_multi_remove_handle(transfer->multi, handle);

  if (!code && multiFailure.empty()) {
    result.cancelled = true;
    result.reason = "cancelled";
    return result;
  }
  if (!code) {
    result.reason = "HTTP client failure (libcurl): " + multiFailure;
    return result;
  }
  if (*code != CURLE_OK) {
    if (received.tooLarge) {
      // The node answered; another would answer the same.
      result.reason = "the response is larger than " + std::to_string(kMaxResponseBytes >> 20) + " MiB";
      return result;
    }
    result.reason = transportReason(handle, *code, errorText);
    result.timedOut = *code == CURLE_OPERATION_TIMEDOUT && reachedNode(handle);
    result.nodeFailed = !result.timedOut;
    return result;
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  result.answered = true;
  result.status = static_cast<int>(status);
  result.body = std::move(received.body);
  return result;
}

ClusterResponse ClusterClient::send(const ClusterRequest& request, const CancellationToken& cancellation) {
  ClusterResponse response;
  if (config_.hosts.empty()) return response;
  if (const auto problem = initCurlGlobally(); !problem.empty()) {
    response.failures.push_back({config_.hosts.front(), "cannot start an HTTP client (libcurl): " + problem, false});
    return response;
  }
  // Shared: a cancel already running its callbacks may outlive this call's registration.
  auto signal = std::make_shared<CancelSignal>();
  auto registration = cancellation.onCancel([signal] { signal->cancel(); });
  const auto order = nodes_.order(NodePool::Clock::now());
  // The first attempt and at most maxRetries more, each on another node.
  const auto attempts = std::min(order.size(), static_cast<std::size_t>(config_.maxRetries) + 1);
  std::optional<Attempt> lastBusy;
  std::string lastBusyNode;
  for (std::size_t i = 0; i < attempts; ++i) {
    if (signal->isCancelled()) break;
    const auto index = order[i];
    const auto& node = config_.hosts[index];
    auto result = attempt(node, request, *signal);
    if (result.cancelled) break;
    if (result.answered && !busy(result.status)) {
      nodes_.markAlive(index);
      response.kind = ClusterResponse::Kind::answered;
      response.status = result.status;
      response.body = std::move(result.body);
      response.node = node;
      return response;
    }
    if (result.answered) {
      // Overloaded or behind a gateway that cannot reach it: dead for a while, as the
      // Elasticsearch clients treat it.
      nodes_.markDead(index, NodePool::Clock::now());
      response.failures.push_back({node, "answered HTTP " + std::to_string(result.status), false});
      lastBusy = std::move(result);
      lastBusyNode = node;
      continue;
    }
    response.failures.push_back({node, result.reason, result.timedOut});
    const bool retry = result.nodeFailed || (result.timedOut && config_.retryOnTimeout);
    if (!retry) break;
    nodes_.markDead(index, NodePool::Clock::now());
  }
  if (signal->isCancelled()) {
    response.kind = ClusterResponse::Kind::cancelled;
    return response;
  }
  if (lastBusy) {
    // Every node tried was unreachable or overloaded: the last overloaded node's own
    // answer is the most precise thing to pass on.
    response.kind = ClusterResponse::Kind::answered;
    response.status = lastBusy->status;
    response.body = std::move(lastBusy->body);
    response.node = lastBusyNode;
  }
  return response;
}

}  // namespace orrery::data
