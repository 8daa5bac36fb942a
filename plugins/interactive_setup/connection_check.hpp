// "Check the connection" on the setup page: for the embedded engine, that its data folder
// exists or can be created and is writable; for a remote cluster, that `GET /` with the
// given credentials answers like Elasticsearch within the timeout. These do file and
// network I/O: run them on the blocking pool.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "setup_request.hpp"

namespace orrery::interactive_setup {

struct CheckResult {
  bool ok = false;
  std::string field;    // the page field a failure points at ("" on success)
  std::string message;  // what went wrong, or what was found ("Connected to cluster ...")
  std::string clusterName;
  std::string version;
};

// Creates the folder (and parents) if missing, then writes and removes a probe file.
CheckResult checkEmbeddedFolder(const std::filesystem::path& folder);

// `GET <url>/` with the credentials; the cluster's name and version on success, or the
// exact failure (connection refused, timeout, TLS, 401, not Elasticsearch-like).
CheckResult checkRemoteCluster(const RemoteConnection& remote, std::chrono::milliseconds timeout);

}  // namespace orrery::interactive_setup
