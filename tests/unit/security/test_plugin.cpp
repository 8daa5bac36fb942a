// The built security.so as the host sees it: its exports, its config schema, and what
// setup() registers for each configuration.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <memory>
#include <orrery/plugin.hpp>

#include "fakes/setup_context.hpp"
#include "run_task.hpp"
#include "security_fixture.hpp"
#include "settings.hpp"

using namespace orrery::security;
using namespace orrery::security::test;

namespace {

const orrery::detail::PluginExports& pluginExports() {
  // Loaded once and never unloaded: objects the library made must not outlive it.
  static void* library = ::dlopen(SECURITY_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(library != nullptr, ::dlerror());
  const auto* alias = static_cast<const void* const*>(::dlsym(library, "orrery_plugin_v1"));
  REQUIRE(alias != nullptr);
  return *static_cast<const orrery::detail::PluginExports*>(*alias);
}

orrery::ConfigSchema pluginSchema() {
  orrery::ConfigSchema schema;
  pluginExports().describeConfig(schema);
  return schema;
}

struct PluginFixture {
  explicit PluginFixture(std::map<std::string, orrery::ConfigValue> overrides = {})
      : context(SchemaConfig(pluginSchema(), std::move(overrides)), dir.path()),
        plugin(pluginExports().createStandard()) {}
  ~PluginFixture() {
    if (setUp) plugin->stop();
  }
  void setup() {
    plugin->setup(context);
    setUp = true;
  }

  orrery::test::TempDir dir;
  FakeSetupContext context;
  std::unique_ptr<orrery::Plugin> plugin;
  bool setUp = false;
};

}  // namespace

TEST_CASE("the library exports a standard plugin with this SDK's ABI tag and a config schema") {
  const auto& exports = pluginExports();
  CHECK(std::string(exports.abiTag) == ORRERY_ABI_TAG);
  CHECK(exports.kind == orrery::detail::kStandardPlugin);
  const bool describesConfig = exports.describeConfig != nullptr;
  REQUIRE(describesConfig);
  std::vector<std::string> keys;
  const auto schema = pluginSchema();
  for (const auto& field : schema.fields()) keys.push_back(field.key);
  CHECK(std::find(keys.begin(), keys.end(), "enabled") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "usersFile") != keys.end());
}

TEST_CASE("the schema's defaults read back as the Settings defaults") {
  orrery::test::TempDir dir;
  const auto settings = Settings::read(SchemaConfig(pluginSchema()), dir.path());
  const Settings defaults;
  CHECK(settings.enabled);
  CHECK(settings.usersFile == dir.path() / "security" / "users.yml");
  CHECK(settings.apiKeysFile == dir.path() / "security" / "api_keys.json");
  CHECK(settings.usersFileCheckInterval == defaults.usersFileCheckInterval);
  CHECK(settings.cacheTtl == defaults.cacheTtl);
  CHECK(settings.cacheMaxEntries == defaults.cacheMaxEntries);
  CHECK(settings.failedLogins.threshold == 5);
  CHECK(settings.failedLogins.initialDelay == defaults.failedLogins.initialDelay);
  CHECK(settings.failedLogins.maxDelay == defaults.failedLogins.maxDelay);
  CHECK(settings.failedLogins.forgetAfter == defaults.failedLogins.forgetAfter);
  CHECK(settings.failedLogins.maxAddresses == defaults.failedLogins.maxAddresses);
  CHECK(settings.apiKeysEnabled);
  CHECK(settings.apiKeysRetention == defaults.apiKeysRetention);

  CHECK(Settings::read(SchemaConfig(pluginSchema(), {{"usersFile", std::string("conf/users.yml")}}), dir.path())
            .usersFile == dir.path() / "conf" / "users.yml");
  CHECK(Settings::read(SchemaConfig(pluginSchema(), {{"usersFile", std::string("/etc/orrery/users.yml")}}), dir.path())
            .usersFile == "/etc/orrery/users.yml");
}

TEST_CASE("enabled: setup registers the authenticator and the routes, and reports the users") {
  PluginFixture f;
  saveUsersFile(f.dir.path() / "security" / "users.yml", {user("alice", "pw")});
  f.setup();
  auto& http = f.context.recordedHttp();
  REQUIRE(http.authenticator != nullptr);
  CHECK_FALSE(http.disabledReason.has_value());
  CHECK(http.routes().routes.size() == 4);
  CHECK(toString(f.context.recordedStatus().level) == "available");
  CHECK(f.context.recordedStatus().summary == "1 user");

  const auto request = requestWith(basicHeader("alice", "pw"));
  CHECK(runTask(f.context.inlineExecutors(), http.authenticator->authenticate(request)).user.username == "alice");
}

TEST_CASE("enabled without a users file: still available (not an error), saying the command to run") {
  PluginFixture f;
  f.setup();
  CHECK(f.context.recordedHttp().authenticator != nullptr);
  CHECK(toString(f.context.recordedStatus().level) == "available");
  CHECK(f.context.recordedStatus().summary.find("orrery users add NAME") != std::string::npos);
  CHECK(f.context.recordedLog().has(orrery::LogLevel::warn, "orrery users add NAME"));
}

TEST_CASE("enabled: false turns authentication off instead, with the reason") {
  PluginFixture f({{"enabled", false}});
  f.setup();
  auto& http = f.context.recordedHttp();
  CHECK(http.disabledReason == "security.enabled is false");
  CHECK(http.authenticator == nullptr);
  CHECK(http.routes().routes.empty());
}

TEST_CASE("a broken users file fails setup, naming the file and the field") {
  PluginFixture f;
  f.dir.write("security/users.yml", "users:\n  - username: alice\n    passwordHash: plain\n");
  CHECK_THROWS_WITH(f.plugin->setup(f.context), doctest::Contains("users[0].passwordHash: expected an argon2id hash"));
  CHECK(f.context.recordedHttp().authenticator == nullptr);
}
