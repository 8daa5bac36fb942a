#include <doctest/doctest.h>

#include "connection_check.hpp"
#include "tests/support/loopback_peer.hpp"
#include "tests/support/temp_dir.hpp"

using namespace orrery::interactive_setup;
using namespace std::chrono_literals;

using orrery::test::LoopbackPeer;

TEST_CASE("an embedded folder that does not exist is created and found writable") {
  orrery::test::TempDir dir;
  const auto folder = dir.path() / "a" / "b";
  const auto result = checkEmbeddedFolder(folder);
  CHECK(result.ok);
  CHECK(std::filesystem::is_directory(folder));
  CHECK(std::filesystem::is_empty(folder));  // the probe file is gone
}

TEST_CASE("an embedded folder that cannot be created is refused, naming the folder") {
  orrery::test::TempDir dir;
  dir.write("file", "x");
  const auto result = checkEmbeddedFolder(dir.path() / "file" / "indices");
  CHECK_FALSE(result.ok);
  CHECK(result.field == "connection.path");
  CHECK(result.message.find((dir.path() / "file" / "indices").string()) != std::string::npos);
}

TEST_CASE("a remote address where nothing listens: connection refused, named") {
  LoopbackPeer closed(LoopbackPeer::Kind::refusing);
  const auto result = checkRemoteCluster(RemoteConnection{closed.url(), "", "", "", ""}, 2s);
  CHECK_FALSE(result.ok);
  CHECK(result.field == "connection.url");
  CHECK(result.message.find("Cannot reach " + closed.url()) != std::string::npos);
  CHECK(result.message.find("refused") != std::string::npos);
}

TEST_CASE("a remote that never answers: the timeout is the failure") {
  LoopbackPeer silent(LoopbackPeer::Kind::silent);
  const auto result = checkRemoteCluster(RemoteConnection{silent.url(), "u", "p", "", ""}, 300ms);
  CHECK_FALSE(result.ok);
  CHECK(result.message.find("timed out") != std::string::npos);
}

TEST_CASE("a CA file that does not exist is named before anything is sent") {
  const auto result =
      checkRemoteCluster(RemoteConnection{"https://127.0.0.1:1", "", "", "", "/nonexistent/ca.pem"}, 1s);
  CHECK_FALSE(result.ok);
  CHECK(result.field == "connection.certificateAuthority");
}

TEST_CASE("a cluster that answers GET / is named, and got the credentials") {
  LoopbackPeer cluster(LoopbackPeer::Kind::answering, R"({"name":"n1","cluster_name":"logs","version":{"number":"8.15.0"}})");
  const auto result = checkRemoteCluster(RemoteConnection{cluster.url(), "elastic", "pw", "", ""}, 2s);
  CHECK(result.ok);
  CHECK(result.clusterName == "logs");
  CHECK(result.version == "8.15.0");
  CHECK(result.message == "Connected to cluster \"logs\" (version 8.15.0).");
  CHECK(cluster.request().starts_with("GET / HTTP/1.1\r\n"));
  CHECK(cluster.request().find("Authorization: Basic ZWxhc3RpYzpwdw==") != std::string::npos);
}

TEST_CASE("an API key is sent as Elasticsearch expects it") {
  LoopbackPeer cluster(LoopbackPeer::Kind::answering, R"({"cluster_name":"c"})");
  const auto result = checkRemoteCluster(RemoteConnection{cluster.url(), "", "", "a2V5OnNlY3JldA==", ""}, 2s);
  CHECK(result.ok);
  CHECK(cluster.request().find("Authorization: ApiKey a2V5OnNlY3JldA==") != std::string::npos);
}

TEST_CASE("an HTTP server that is not Elasticsearch-like is refused") {
  LoopbackPeer other(LoopbackPeer::Kind::answering, R"({"hello":"world"})");
  const auto result = checkRemoteCluster(RemoteConnection{other.url(), "", "", "", ""}, 2s);
  CHECK_FALSE(result.ok);
  CHECK(result.message.find("not an Elasticsearch-compatible cluster") != std::string::npos);
}
