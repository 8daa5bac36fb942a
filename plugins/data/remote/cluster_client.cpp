#include "cluster_client.hpp"

#include <curl/curl.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>

namespace orrery::data {
namespace {

// A search response is large at worst (10,000 hits); beyond this it is not one.
constexpr std::size_t kMaxResponseBytes = std::size_t{512} << 20;

void initCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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

// Called by curl while a transfer runs (at least about once a second even when nothing
// arrives): a non-zero return aborts the transfer, which is how cancellation reaches a
// request in flight.
int checkCancelled(void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0;
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

}  // namespace

struct ClusterClient::Attempt {
  bool answered = false;
  bool cancelled = false;
  bool timedOut = false;
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

ClusterClient::ClusterClient(ClusterConfig config) : config_(std::move(config)) {}

ClusterClient::~ClusterClient() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

// At most this many idle handles are kept: as many as searches ran at once, bounded.
constexpr std::size_t kMaxIdleHandles = 16;

void* ClusterClient::takeHandle() {
  {
    std::lock_guard lock(idleMutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void ClusterClient::returnHandle(void* handle) {
  // Options back to defaults at once (they point into the finished attempt's frame); the
  // handle's live connections stay for reuse.
  curl_easy_reset(static_cast<CURL*>(handle));
  {
    std::lock_guard lock(idleMutex_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

ClusterClient::Attempt ClusterClient::attempt(const std::string& node, const ClusterRequest& request,
                                              const std::atomic<bool>& cancelled) {
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
  CURL* handle = static_cast<CURL*>(takeHandle());
  if (!handle) {
    result.reason = "cannot start an HTTP client (libcurl)";
    return result;
  }
  // Back to the idle list however this attempt ends.
  std::unique_ptr<void, std::function<void(void*)>> giveBack(handle, [this](void* h) { returnHandle(h); });
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
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, checkCancelled);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&cancelled));
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

  const CURLcode code = curl_easy_perform(handle);
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    result.cancelled = true;
    result.reason = "cancelled";
    return result;
  }
  if (code != CURLE_OK) {
    result.timedOut = code == CURLE_OPERATION_TIMEDOUT;
    result.reason = received.tooLarge ? "the response is larger than " + std::to_string(kMaxResponseBytes >> 20) + " MiB"
                                      : transportReason(handle, code, errorText);
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
  // Here, on the blocking pool, rather than in the constructor: OpenSSL keeps per-thread
  // state for the initialising thread, and the pool's threads end (freeing it) before
  // the host exits, where a lifecycle thread may not.
  initCurl();
  ClusterResponse response;
  const auto count = config_.hosts.size();
  if (count == 0) return response;
  // Shared: a cancel already running its callbacks may outlive this call's registration.
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto registration = cancellation.onCancel([flag] { *flag = true; });
  const std::atomic<bool>& cancelled = *flag;
  // Rotating the first node spreads requests over the cluster and keeps a dead first
  // node from costing every request a failed attempt.
  const auto first = next_.fetch_add(1) % count;
  std::optional<Attempt> lastBusy;
  std::string lastBusyNode;
  for (std::size_t i = 0; i < count; ++i) {
    if (cancelled) break;
    const auto& node = config_.hosts[(first + i) % count];
    auto result = attempt(node, request, cancelled);
    if (result.cancelled) break;
    if (result.answered && result.status != 502 && result.status != 503 && result.status != 504) {
      response.kind = ClusterResponse::Kind::answered;
      response.status = result.status;
      response.body = std::move(result.body);
      response.node = node;
      return response;
    }
    if (result.answered) {
      response.failures.push_back({node, "answered HTTP " + std::to_string(result.status), false});
      lastBusy = std::move(result);
      lastBusyNode = node;
    } else {
      response.failures.push_back({node, std::move(result.reason), result.timedOut});
    }
  }
  if (cancelled) {
    response.kind = ClusterResponse::Kind::cancelled;
    return response;
  }
  if (lastBusy) {
    // Every node was unreachable or overloaded: the last overloaded node's own answer is
    // the most precise thing to pass on.
    response.kind = ClusterResponse::Kind::answered;
    response.status = lastBusy->status;
    response.body = std::move(lastBusy->body);
    response.node = lastBusyNode;
  }
  return response;
}

}  // namespace orrery::data
