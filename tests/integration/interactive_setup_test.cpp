// The first-run setup through the real binary and the bundled interactive_setup plugin:
// the code in the log and in the data folder, the endpoints, the lockout, saving (config
// content and mode, the admin user), the reload into the main server, and the refusals
// once preboot is over.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "host_setup.hpp"
#include "http_client.hpp"

using harness::HostSetup;
using harness::HttpClient;
using Json = nlohmann::json;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A host on a fresh data folder with setup switched back on (the harness turns it off).
struct SetupHost {
  explicit SetupHost(const std::string& config = "") {
    setup.writeConfig(config);
    process = setup.start({"--set", "interactive_setup.enabled=true"});
    REQUIRE_MESSAGE(process->waitForOutput("to get started"), process->output());
    // "Go to http://127.0.0.1:PORT/?code=NNNNNN to get started"
    const auto out = process->output();
    const std::string prefix = "Go to http://127.0.0.1:";
    const auto at = out.find(prefix);
    REQUIRE_MESSAGE(at != std::string::npos, out);
    const auto portStart = at + prefix.size();
    const auto portEnd = out.find("/?code=", portStart);
    REQUIRE_MESSAGE(portEnd != std::string::npos, out);
    url = out.substr(at + 6, portEnd - at - 6);
    port = static_cast<std::uint16_t>(std::stoi(out.substr(portStart, portEnd - portStart)));
    code = out.substr(portEnd + 7, 6);
    REQUIRE_MESSAGE(out.compare(portEnd + 13, 16, " to get started ") == 0, out);
  }
  ~SetupHost() {
    if (!process) return;
    process->signal(SIGTERM);
    process->waitExit();
  }
  HttpClient client() const { return HttpClient(port); }
  harness::HttpResult post(const std::string& path, const Json& body) const {
    return client().send("POST", "/internal/interactive_setup/" + path, body.dump(),
                         {{"Content-Type", "application/json"}});
  }
  std::string wrongCode() const { return code == "000000" ? "000001" : "000000"; }

  HostSetup setup;
  std::unique_ptr<harness::ChildProcess> process;
  std::string url;
  std::uint16_t port = 0;
  std::string code;
};

Json embeddedSave(const std::string& code, const std::string& folder) {
  return {{"code", code},
          {"connection", {{"type", "embedded"}, {"path", folder}}},
          {"admin", {{"username", "chief"}, {"password", "Correct-Horse-9"}}}};
}

mode_t modeOf(const std::filesystem::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE("a fresh install holds in preboot with a code in the log and in the data folder (mode 0600)") {
  SetupHost host;
  const auto codeFile = host.setup.root() / "data" / "interactive_setup" / "verification_code";
  CHECK(readFile(codeFile) == host.code + "\n");
  CHECK(modeOf(codeFile) == 0600);
  CHECK(host.process->waitForOutput("setup is on hold: interactive_setup"));

  const auto status = host.client().get("/internal/interactive_setup/status");
  REQUIRE(status.status == 200);
  CHECK(status.json()["active"] == true);
  CHECK(status.json()["attemptsLeft"] == 5);
  CHECK(status.json()["defaults"]["dataFolder"] == (host.setup.root() / "data" / "indices").string());

  // The page itself, with its own script and styles and nothing from elsewhere.
  const auto page = host.client().get("/?code=" + host.code);
  REQUIRE(page.status == 200);
  CHECK(has(page.body, "<script src=\"/interactive_setup/setup.js\""));
  CHECK(has(page.header("Content-Security-Policy").value_or(""), "default-src 'self'"));
  CHECK(host.client().get("/interactive_setup/setup.js").status == 200);
  CHECK(host.client().get("/interactive_setup/setup.css").status == 200);
  // Other pages lead to the setup page; APIs wait.
  CHECK(host.client().get("/app/anything").status == 302);
  CHECK(host.client().get("/api/status").status == 503);

  // Stopping while on hold exits 0 and takes the code with it.
  host.process->signal(SIGTERM);
  CHECK(host.process->waitExit().value_or(-1) == 0);
  host.process.reset();
  CHECK_FALSE(std::filesystem::exists(codeFile));
}

TEST_CASE("verification: wrong codes count down, the fifth locks setup until restart") {
  SetupHost host;
  CHECK(host.post("verify", {{"code", host.code}}).status == 200);
  for (int left = 4; left >= 0; --left) {
    const auto answer = host.post("verify", {{"code", host.wrongCode()}});
    CHECK(answer.status == 403);
    CHECK(answer.json()["attributes"]["attemptsLeft"] == left);
    CHECK(answer.json()["attributes"]["field"] == "code");
    if (left > 0) CHECK(has(answer.json()["message"].get<std::string>(), std::to_string(left) + " attempt"));
  }
  const auto locked = host.post("verify", {{"code", host.code}});
  CHECK(locked.status == 403);
  CHECK(has(locked.json()["message"].get<std::string>(), "locked"));
  CHECK(locked.json()["attributes"]["attemptsLeft"] == 0);
  CHECK(host.client().get("/internal/interactive_setup/status").json()["locked"] == true);
  // Saving is locked too, even with the right code.
  const auto save = host.post("configure", embeddedSave(host.code, "store"));
  CHECK(save.status == 403);
}

TEST_CASE("bad input is refused naming the field, and the host keeps running") {
  SetupHost host;
  CHECK(host.client().send("POST", "/internal/interactive_setup/verify", "{", {{"Content-Type", "application/json"}})
            .status == 400);
  auto weak = embeddedSave(host.code, "store");
  weak["admin"]["password"] = "password";
  const auto answer = host.post("configure", weak);
  CHECK(answer.status == 400);
  CHECK(answer.json()["attributes"]["field"] == "admin.password");
  auto badUrl = embeddedSave(host.code, "store");
  badUrl["connection"] = {{"type", "remote"}, {"url", "gopher://x"}};
  CHECK(host.post("check_connection", badUrl).json()["attributes"]["field"] == "connection.url");
  CHECK(host.client().get("/internal/interactive_setup/status").status == 200);
  CHECK_FALSE(has(readFile(host.setup.configFile()), "data:"));
}

TEST_CASE("a remote cluster where nothing listens: the check names the failure and saving saves nothing") {
  SetupHost host("# kept\nlogging:\n  level: info\n");
  const auto before = readFile(host.setup.configFile());
  // Port 1 on loopback: nothing listens there.
  Json body = {{"code", host.code},
               {"connection", {{"type", "remote"}, {"url", "http://127.0.0.1:1"}, {"apiKey", "a2V5"}}},
               {"admin", {{"username", "chief"}, {"password", "Correct-Horse-9"}}}};
  const auto check = host.post("check_connection", body);
  CHECK(check.status == 400);
  CHECK(check.json()["attributes"]["field"] == "connection.url");
  CHECK(has(check.json()["message"].get<std::string>(), "Cannot reach http://127.0.0.1:1"));
  const auto save = host.post("configure", body);
  CHECK(save.status == 400);
  CHECK(has(save.json()["message"].get<std::string>(), "Nothing was saved"));
  CHECK(readFile(host.setup.configFile()) == before);
  CHECK_FALSE(std::filesystem::exists(host.setup.root() / "data" / "security" / "users.yml"));
}

TEST_CASE("a remote cluster that answers (a second Orrery host's /es): named, saved with mode 0600") {
  // The cluster: another host with the data plugin, configured so it skips setup.
  HostSetup clusterSetup;
  clusterSetup.writeConfig("security:\n  enabled: false\n");
  auto cluster = clusterSetup.start();
  REQUIRE_MESSAGE(cluster->waitForOutput("orrery ready in"), cluster->output());
  const auto clusterUrl = "http://127.0.0.1:" + std::to_string(harness::listeningPort(*cluster)) + "/es";

  SetupHost host("logging:\n  level: info\n");
  Json body = {{"code", host.code},
               {"connection", {{"type", "remote"}, {"url", clusterUrl}, {"username", "elastic"}, {"password", "s3cret"}}},
               {"admin", {{"username", "chief"}, {"password", "Correct-Horse-9"}}}};
  const auto check = host.post("check_connection", body);
  REQUIRE_MESSAGE(check.status == 200, check.body);
  CHECK(has(check.json()["message"].get<std::string>(), "Connected to cluster"));
  CHECK_FALSE(check.json()["clusterName"].get<std::string>().empty());

  const auto saved = host.post("configure", body);
  REQUIRE_MESSAGE(saved.status == 200, saved.body);
  const auto node = YAML::Load(readFile(host.setup.configFile()));
  CHECK(node["data"]["search"]["defaultStrategy"].as<std::string>() == "elasticsearch");
  CHECK(node["data"]["elasticsearch"]["hosts"][0].as<std::string>() == clusterUrl);
  CHECK(node["data"]["elasticsearch"]["password"].as<std::string>() == "s3cret");
  CHECK(modeOf(host.setup.configFile()) == 0600);  // it holds a password now
  REQUIRE_MESSAGE(host.process->waitForOutput("orrery ready in"), host.process->output());
  cluster->signal(SIGTERM);
  CHECK(cluster->waitExit().value_or(-1) == 0);
}

TEST_CASE("saving: the config keeps the operator's lines, the admin can log in, the host proceeds without a restart") {
  const std::string original = "# The operator's own notes\nlogging:\n  level: info   # keep this\n";
  SetupHost host(original);
  ::chmod(host.setup.configFile().c_str(), 0640);
  const auto folder = (host.setup.root() / "indices").string();
  const auto saved = host.post("configure", embeddedSave(host.code, folder));
  REQUIRE_MESSAGE(saved.status == 200, saved.body);
  CHECK(saved.json()["saved"] == true);

  REQUIRE_MESSAGE(host.process->waitForOutput("orrery ready in"), host.process->output());
  CHECK(has(host.process->output(), "reloading the config"));

  const auto text = readFile(host.setup.configFile());
  CHECK(text.starts_with(original));
  const auto node = YAML::Load(text);
  CHECK(node["data"]["local"]["path"].as<std::string>() == folder);
  CHECK(node["data"]["search"]["defaultStrategy"].as<std::string>() == "local");
  CHECK(modeOf(host.setup.configFile()) == 0640);
  CHECK(std::filesystem::is_directory(folder));
  CHECK_FALSE(std::filesystem::exists(host.setup.root() / "data" / "interactive_setup" / "verification_code"));

  // Same port, main server: the admin's credentials work and see the plugins.
  const auto status = host.client().get(
      "/api/status", {{"Authorization", harness::basicAuthorization("chief", "Correct-Horse-9")}});
  REQUIRE(status.status == 200);
  CHECK(status.json()["status"]["plugins"]["data"]["state"] == "started");
  // Setup's API is over.
  const auto after = host.post("verify", {{"code", host.code}});
  CHECK(after.status == 400);
  CHECK(after.json()["message"] == "Cannot process request outside of preboot stage.");

  // A restart with the saved config goes straight to ready.
  host.process->signal(SIGTERM);
  CHECK(host.process->waitExit().value_or(-1) == 0);
  host.process = host.setup.start({"--set", "interactive_setup.enabled=true"});
  REQUIRE_MESSAGE(host.process->waitForOutput("orrery ready in"), host.process->output());
  CHECK(has(host.process->output(), "interactive setup is not needed"));
}

TEST_CASE("a configured install never enters setup; its endpoints refuse with 400") {
  HostSetup setup;
  setup.writeConfig("data:\n  local:\n    path: " + (setup.root() / "indices").string() + "\n");
  auto process = setup.start({"--set", "interactive_setup.enabled=true"});
  REQUIRE_MESSAGE(process->waitForOutput("orrery ready in"), process->output());
  CHECK(has(process->output(), "interactive setup is not needed: the config names a data connection"));
  CHECK_FALSE(has(process->output(), "to get started"));
  HttpClient client(harness::listeningPort(*process));
  const auto answer = client.send("POST", "/internal/interactive_setup/verify", R"({"code":"123456"})",
                                  {{"Content-Type", "application/json"}});
  CHECK(answer.status == 400);
  CHECK(answer.json()["message"] == "Cannot process request outside of preboot stage.");
  process->signal(SIGTERM);
  CHECK(process->waitExit().value_or(-1) == 0);
}

TEST_CASE("interactive_setup.enabled: false turns it off on a fresh install") {
  HostSetup setup;
  auto process = setup.start({"--set", "interactive_setup.enabled=false"});
  REQUIRE_MESSAGE(process->waitForOutput("orrery ready in"), process->output());
  CHECK(has(process->output(), "interactive setup is not needed: interactive_setup.enabled is false"));
  process->signal(SIGTERM);
  CHECK(process->waitExit().value_or(-1) == 0);
}
