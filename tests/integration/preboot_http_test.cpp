// The preboot server through the real binary: preboot plugins' routes, 503 with
// Retry-After for other API paths, redirects with ?next= for pages, then the hand-over to
// the main server on the same port once the hold is resolved.
#include <csignal>
#include <doctest/doctest.h>

#include "host_setup.hpp"
#include "http_client.hpp"

using harness::HostSetup;
using harness::HttpClient;

TEST_CASE("preboot serves its plugins' routes, 503 for other API paths, redirects pages; then hands over") {
  HostSetup setup;
  setup.addFixture("preboot_page");
  setup.addFixture("http_routes");
  setup.writeConfig("security:\n  enabled: false\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("setup is on hold"), host->output());
  const auto port = harness::listeningPort(*host);
  HttpClient client(port);

  // The preboot plugin's own routes, and no authentication on them.
  const auto page = client.get("/?next=/app/x");
  CHECK(page.status == 200);
  CHECK(page.body == "<p>preboot page; next=/app/x</p>");
  CHECK(client.get("/internal/preboot_page/ping").json()["preboot"] == true);
  CHECK(host->output().find("preboot_page may not configure authentication") != std::string::npos);

  // API paths that only the main server will have: 503 with Retry-After.
  for (const std::string target : {"/api/status", "/api/fixture/hello", "/internal/anything"}) {
    CAPTURE(target);
    const auto result = client.get(target);
    CHECK(result.status == 503);
    CHECK(result.header("Retry-After").has_value());
    CHECK(result.json()["statusCode"] == 503);
  }
  const auto es = client.get("/es/logs/_search");
  CHECK(es.status == 503);
  CHECK(es.json()["status"] == 503);
  CHECK(es.header("Retry-After").has_value());

  // Any other path: to the preboot page, carrying where the user wanted to go.
  const auto redirect = client.get("/app/reports?tab=mine&x=1");
  CHECK(redirect.status == 302);
  CHECK(redirect.header("Location") == "/?next=/app/reports%3Ftab%3Dmine%26x%3D1");

  CHECK(client.send("POST", "/internal/preboot_page/done").status == 200);
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());

  // The same port now serves the main routes; preboot's API routes say they are over,
  // and its page is gone (the main server's root page answers instead).
  HttpClient after(port);
  CHECK(after.get("/api/fixture/hello").status == 200);
  const auto over = after.get("/internal/preboot_page/ping");
  CHECK(over.status == 400);
  CHECK(over.json()["message"] == "Cannot process request outside of preboot stage.");
  CHECK(after.get("/internal/preboot_page/other").status == 404);
  const auto root = after.get("/");
  CHECK(root.status == 200);
  CHECK(root.body.find("Orrery is running") != std::string::npos);
  CHECK(harness::listeningPort(*host) == port);
  CHECK(host->count("http server listening on") == 1);
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}
