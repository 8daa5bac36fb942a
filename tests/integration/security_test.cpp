// Authentication through the real binary and the bundled security plugin: users added
// with `orrery users add`, HTTP Basic, API keys (create, use, invalidate, survive a
// restart), the current-user API, the status API's two levels of detail, slowed-down
// repeated failures, and security switched off.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <sys/wait.h>

#include "host_setup.hpp"
#include "http_client.hpp"
#include "running_host.hpp"

using harness::HostSetup;
using harness::HttpClient;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::filesystem::path usersFile(const HostSetup& setup) { return setup.root() / "data" / "security" / "users.yml"; }

// Runs `orrery users ARGS` with `password` on stdin; returns its exit code.
int usersCommand(const HostSetup& setup, const std::string& args, const std::string& password) {
  const std::string command = "printf '%s\\n' '" + password + "' | " + harness::orreryBinary().string() + " users " +
                              args + " --file " + usersFile(setup).string() + " >" + (setup.root() / "users.out").string() +
                              " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct SecuredHost : harness::RunningHost {
  explicit SecuredHost(const std::string& config = "") {
    setup.addFixture("http_routes");
    REQUIRE(usersCommand(setup, "add alice --role superuser --full-name 'Alice Example'", "correct horse") == 0);
    REQUIRE(usersCommand(setup, "add bob", "battery staple") == 0);
    setup.writeConfig(config);
    start();
  }
};

const harness::Headers alice{{"Authorization", harness::basicAuthorization("alice", "correct horse")}};

}  // namespace

TEST_CASE("routes that need a user: 401 with challenges without or with wrong credentials, 200 with valid Basic") {
  SecuredHost host;
  HttpClient client(host.port);
  const auto none = client.get("/api/fixture/whoami");
  CHECK(none.status == 401);
  CHECK(none.json()["statusCode"] == 401);
  const auto challenges = none.headerValues("WWW-Authenticate");
  CHECK(std::find(challenges.begin(), challenges.end(), "Basic realm=\"orrery\", charset=\"UTF-8\"") !=
        challenges.end());
  CHECK(std::find(challenges.begin(), challenges.end(), "ApiKey") != challenges.end());

  const auto wrong = client.get("/api/fixture/whoami",
                                {{"Authorization", harness::basicAuthorization("alice", "wrong horse")}});
  CHECK(wrong.status == 401);
  CHECK(wrong.header("WWW-Authenticate").has_value());
  CHECK(client.get("/api/fixture/whoami", {{"Authorization", harness::basicAuthorization("nobody", "x")}}).status ==
        401);

  const auto ok = client.get("/api/fixture/whoami", alice);
  REQUIRE(ok.status == 200);
  CHECK(ok.json()["username"] == "alice");
  CHECK(ok.json()["type"] == "basic");

  // Optional authentication: anonymous without credentials, the user with them, and
  // still 401 for wrong ones.
  CHECK(client.get("/api/fixture/maybe").json()["username"] == "anonymous");
  CHECK(client.get("/api/fixture/maybe", alice).json()["username"] == "alice");
  CHECK(client.get("/api/fixture/maybe", {{"Authorization", harness::basicAuthorization("bob", "nope")}}).status ==
        401);

  const auto me = client.get("/internal/security/me", alice).json();
  CHECK(me["username"] == "alice");
  CHECK(me["full_name"] == "Alice Example");
  CHECK(me["roles"] == nlohmann::json::array({"superuser"}));
  CHECK(me["authentication_type"] == "basic");

  // The access log names the user.
  CHECK(host.process->waitForOutput("user=alice"));
}

TEST_CASE("GET /api/status: overall level only for anonymous callers, full detail for users") {
  SecuredHost host;
  HttpClient client(host.port);
  const auto anonymous = client.get("/api/status");
  CHECK(anonymous.status == 200);
  CHECK(anonymous.json() == nlohmann::json::parse(R"({"status":{"overall":{"level":"available"}}})"));
  const auto full = client.get("/api/status", alice);
  REQUIRE(full.status == 200);
  const auto body = full.json();
  CHECK(body["status"]["overall"]["level"] == "available");
  CHECK(body["status"]["plugins"]["security"]["state"] == "started");
  CHECK(body["status"]["plugins"]["http_routes"]["level"] == "available");
  CHECK(body["version"]["number"].is_string());
  CHECK(body["metrics"]["uptime_ms"].is_number());
  CHECK(body["metrics"]["startup_ms"].get<double>() > 0);
}

TEST_CASE("API keys: created for the current user, used, invalidated; they survive a restart") {
  SecuredHost host;
  HttpClient client(host.port);
  const auto created = client.send("POST", "/internal/security/api_key", R"({"name":"ci"})", alice);
  REQUIRE_MESSAGE(created.status == 200, created.body);
  const auto key = created.json();
  const std::string encoded = key["encoded"];
  const std::string id = key["id"];
  const harness::Headers byKey{{"Authorization", "ApiKey " + encoded}};

  const auto who = client.get("/api/fixture/whoami", byKey).json();
  CHECK(who["username"] == "alice");
  CHECK(who["type"] == "api_key");
  CHECK(client.get("/internal/security/me", byKey).json()["api_key"]["id"] == id);

  // A bad body names the field.
  const auto bad = client.send("POST", "/internal/security/api_key", R"({"name":7})", alice);
  CHECK(bad.status == 400);
  CHECK(has(bad.json()["message"], "[request body.name]"));

  // A second key, kept; the first, invalidated.
  const auto kept = client.send("POST", "/internal/security/api_key", R"({"name":"kept"})", alice).json();
  const auto invalidated =
      client.send("DELETE", "/internal/security/api_key", nlohmann::json{{"ids", {id}}}.dump(), alice);
  REQUIRE(invalidated.status == 200);
  CHECK(invalidated.json()["invalidated_api_keys"] == nlohmann::json::array({id}));
  CHECK(client.get("/api/fixture/whoami", byKey).status == 401);
  // Stored hashed: the secret is nowhere on disk.
  const auto keysFile = host.setup.root() / "data" / "security" / "api_keys.json";
  REQUIRE(std::filesystem::exists(keysFile));
  std::ifstream in(keysFile);
  const std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(!has(stored, key["api_key"].get<std::string>()));

  host.stop();
  host.start();
  HttpClient again(host.port);
  CHECK(again.get("/api/fixture/whoami", {{"Authorization", "ApiKey " + kept["encoded"].get<std::string>()}}).status ==
        200);
  CHECK(again.get("/api/fixture/whoami", byKey).status == 401);
}

TEST_CASE("repeated failures from one address are slowed down") {
  SecuredHost host("security:\n  failedLogins:\n    threshold: 2\n    initialDelay: 5ms\n    maxDelay: 20ms\n");
  HttpClient client(host.port);
  const harness::Headers wrong{{"Authorization", harness::basicAuthorization("bob", "wrong")}};
  for (int i = 0; i < 4; ++i) CHECK(client.get("/api/fixture/whoami", wrong).status == 401);
  CHECK(host.process->waitForOutput("repeated failed logins; delaying further answers to this address"));
  // The right password still gets in.
  CHECK(client.get("/api/fixture/whoami",
                   {{"Authorization", harness::basicAuthorization("bob", "battery staple")}})
            .status == 200);
}

TEST_CASE("with security.enabled false every request is anonymous and the host warns at start") {
  HostSetup setup;
  setup.addFixture("http_routes");
  setup.writeConfig("security:\n  enabled: false\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(has(host->output(), "security is disabled (security.enabled is false)"));
  HttpClient client(harness::listeningPort(*host));
  const auto who = client.get("/api/fixture/whoami");
  CHECK(who.status == 200);
  CHECK(who.json()["username"] == "anonymous");
  // Nobody has credentials, so the status API gives everyone the detail.
  CHECK(client.get("/api/status").json()["status"]["plugins"].is_object());
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("without a running security plugin, routes that need a user answer 503 instead of opening up") {
  HostSetup setup;
  setup.addFixture("http_routes");
  setup.writeConfig("plugins:\n  security:\n    enabled: false\n");
  auto host = setup.start();
  REQUIRE_MESSAGE(host->waitForOutput("orrery ready in"), host->output());
  CHECK(has(host->output(), "no security plugin is running"));
  HttpClient client(harness::listeningPort(*host));
  const auto who = client.get("/api/fixture/whoami");
  CHECK(who.status == 503);
  CHECK(has(who.json()["message"], "no security plugin is running"));
  CHECK(client.get("/api/fixture/hello").status == 200);  // Auth::none routes still work
  host->signal(SIGTERM);
  CHECK(host->waitExit().value_or(-1) == 0);
}

TEST_CASE("orrery users: add reads the password from stdin, refuses duplicates, lists users") {
  HostSetup setup;
  REQUIRE(usersCommand(setup, "add carol", "s3cret pass") == 0);
  CHECK(usersCommand(setup, "add carol", "other") != 0);
  std::ifstream out(setup.root() / "users.out");
  const std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  CHECK(has(said, "carol"));
  std::ifstream file(usersFile(setup));
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CHECK(has(text, "$argon2id$"));
  CHECK(!has(text, "s3cret"));
  CHECK(usersCommand(setup, "list", "") == 0);
  std::ifstream listed(setup.root() / "users.out");
  const std::string list((std::istreambuf_iterator<char>(listed)), std::istreambuf_iterator<char>());
  CHECK(has(list, "carol"));
}
