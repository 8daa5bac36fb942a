// HTTPS through the real binary: a self-signed certificate made with the openssl tool,
// a verified TLS client, and clear start-up errors for missing or unusable files.
#include <csignal>
#include <cstdlib>
#include <doctest/doctest.h>

#include "host_setup.hpp"
#include "http_client.hpp"

using harness::HostSetup;
using harness::HttpClient;

namespace {

void makeCertificate(const HostSetup& setup) {
  const auto dir = setup.root().string();
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
                              "subjectAltName=IP:127.0.0.1 -keyout " + dir + "/key.pem -out " + dir +
                              "/cert.pem >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
}

std::string tlsConfig(const HostSetup& setup) {
  return "security:\n  enabled: false\nserver:\n  ssl:\n    enabled: true\n    certificate: " +
         (setup.root() / "cert.pem").string() + "\n    key: " + (setup.root() / "key.pem").string() + "\n";
}

}  // namespace

TEST_CASE("with server.ssl the server speaks HTTPS only") {
  HostSetup setup;
  setup.addFixture("http_routes");
  makeCertificate(setup);
  setup.writeConfig(tlsConfig(setup));
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(host->output().find("listening on https://127.0.0.1:") != std::string::npos);
  const auto port = harness::listeningPort(*host);

  HttpClient secure(port, setup.root() / "cert.pem");
  const auto result = secure.get("/api/fixture/hello");
  CHECK(result.status == 200);
  CHECK(result.body == R"({"hello":"world"})");
  CHECK(secure.get("/api/fixture/items/9").json()["id"] == "9");  // kept alive over TLS

  // Plain HTTP on the TLS port gets no HTTP answer.
  harness::RawConnection plain(port);
  plain.write("GET /api/fixture/hello HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto answer = plain.readUntilClosed();
  REQUIRE(answer);
  CHECK(answer->find("HTTP/1.1 200") == std::string::npos);

  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("TLS misconfiguration stops the host with exit 78 naming the setting") {
  HostSetup setup;
  SUBCASE("enabled without a certificate") {
    setup.writeConfig("server:\n  ssl:\n    enabled: true\n");
    auto host = setup.start();
    CHECK(host->waitExit().value_or(-1) == 78);
    CHECK(host->output().find("server.ssl.certificate: required when server.ssl.enabled is true") !=
          std::string::npos);
  }
  SUBCASE("a certificate file that does not exist") {
    setup.writeConfig("server:\n  ssl:\n    enabled: true\n    certificate: " + (setup.root() / "none.pem").string() +
                      "\n    key: " + (setup.root() / "none-key.pem").string() + "\n");
    auto host = setup.start();
    CHECK(host->waitExit().value_or(-1) == 78);
    CHECK(host->output().find("server.ssl.certificate: cannot use") != std::string::npos);
  }
}

TEST_CASE("a port already in use stops the host with exit 78 naming server.port") {
  HostSetup first;
  first.writeConfig("");
  auto running = first.start();
  REQUIRE_MESSAGE(running->waitForOutput("orrery ready in"), running->output());
  const auto port = harness::listeningPort(*running);

  HostSetup second;
  second.writeConfig("");
  auto clash = second.start({"--set", "server.port=" + std::to_string(port)});
  CHECK(clash->waitExit().value_or(-1) == 78);
  CHECK(clash->output().find("cannot listen on 127.0.0.1:" + std::to_string(port) + " (server.host, server.port)") !=
        std::string::npos);
  running->signal(SIGTERM);
  CHECK(running->waitExit().value_or(-1) == 0);
}
