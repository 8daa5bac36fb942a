#include "connection_check.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <system_error>

#include "curl_global.hpp"

namespace orrery::interactive_setup {

namespace {

CheckResult failure(std::string field, std::string message) {
  CheckResult result;
  result.field = std::move(field);
  result.message = std::move(message);
  return result;
}

std::size_t appendBody(char* data, std::size_t size, std::size_t count, void* out) {
  auto& body = *static_cast<std::string*>(out);
  // A cluster's root document is small; anything much larger is not one.
  if (body.size() > (1u << 20)) return 0;
  body.append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

CheckResult checkEmbeddedFolder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return failure("connection.path", "Cannot create the folder " + folder.string() + ": " + ec.message() + ".");
  if (!std::filesystem::is_directory(folder, ec)) {
    return failure("connection.path", folder.string() + " exists and is not a folder.");
  }
  const auto probe = folder / ".orrery-write-check";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, "ok", 2) != 2) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::unlink(probe.c_str());
    return failure("connection.path", "Cannot write in " + folder.string() + ": " + reason + ".");
  }
  ::close(fd);
  ::unlink(probe.c_str());
  CheckResult result;
  result.ok = true;
  result.message = "The folder " + folder.string() + " is ready for the embedded engine.";
  return result;
}

CheckResult checkRemoteCluster(const RemoteConnection& remote, std::chrono::milliseconds timeout) {
  if (const auto problem = data::initCurlGlobally(); !problem.empty()) {
    return failure("connection.url", "Cannot start an HTTP client (libcurl): " + problem + ".");
  }
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return failure("connection.url", "Cannot start an HTTP client (libcurl).");
  std::string body;
  char errorText[CURL_ERROR_SIZE] = {};
  std::unique_ptr<curl_slist, HeaderListDeleter> headers;
  const std::string url = remote.url + "/";
  auto* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we are one thread of many
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorText);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
  if (!remote.username.empty()) {
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(handle, CURLOPT_USERNAME, remote.username.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, remote.password.c_str());
  }
  const std::string apiKeyHeader = "Authorization: ApiKey " + remote.apiKey;
  if (!remote.apiKey.empty()) {
    headers.reset(curl_slist_append(nullptr, apiKeyHeader.c_str()));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  }
  if (!remote.certificateAuthority.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(remote.certificateAuthority, ec)) {
      return failure("connection.certificateAuthority", "No such file: " + remote.certificateAuthority + ".");
    }
    curl_easy_setopt(handle, CURLOPT_CAINFO, remote.certificateAuthority.c_str());
  }

  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    std::string message = "Cannot reach " + remote.url + ": " + (errorText[0] ? errorText : curl_easy_strerror(code));
    // curl says "Couldn't connect to server"; the system's reason ("Connection refused",
    // "No route to host") is what an operator acts on.
    long systemError = 0;
    curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &systemError);
    if (systemError != 0) message.append(" (").append(std::strerror(static_cast<int>(systemError))).append(")");
    if (!message.ends_with('.')) message += '.';
    const bool tls = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
                     code == CURLE_SSL_CACERT_BADFILE;
    return failure(tls && !remote.certificateAuthority.empty() ? "connection.certificateAuthority" : "connection.url",
                   message);
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  if (status == 401 || status == 403) {
    return failure(remote.apiKey.empty() ? "connection.username" : "connection.apiKey",
                   remote.url + " refused the credentials (HTTP " + std::to_string(status) + ").");
  }
  if (status != 200) {
    return failure("connection.url", remote.url + " answered HTTP " + std::to_string(status) +
                                         " to GET /, not an Elasticsearch-compatible cluster.");
  }
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_object() || !document.contains("cluster_name") || !document["cluster_name"].is_string()) {
    return failure("connection.url",
                   remote.url + " answered GET / without a cluster_name: not an Elasticsearch-compatible cluster.");
  }
  CheckResult result;
  result.ok = true;
  result.clusterName = document["cluster_name"].get<std::string>();
  if (document.contains("version") && document["version"].is_object() && document["version"].contains("number") &&
      document["version"]["number"].is_string()) {
    result.version = document["version"]["number"].get<std::string>();
  }
  result.message = "Connected to cluster \"" + result.clusterName + "\"" +
                   (result.version.empty() ? "" : " (version " + result.version + ")") + ".";
  return result;
}

}  // namespace orrery::interactive_setup
