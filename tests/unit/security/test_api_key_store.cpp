// API keys: creation, checking, invalidation, expiry, persistence.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "api_key_store.hpp"
#include "atomic_file.hpp"
#include "clock.hpp"
#include "sodium_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace orrery::security;
using namespace std::chrono_literals;
using Outcome = ApiKeyCheck::Outcome;

namespace {

const ApiKeyStore::WallTime t0{std::chrono::milliseconds(1'700'000'000'000)};

struct StoreFixture {
  orrery::test::TempDir dir;
  std::filesystem::path file = dir.path() / "security" / "api_keys.json";
  ApiKeyStore store{file, 7 * 24h};
};

}  // namespace

TEST_CASE("a created key authenticates with its secret only, and encoded is base64(id:secret)") {
  StoreFixture f;
  f.store.load();
  const auto created = f.store.create("alice", "ci", std::nullopt, t0);
  CHECK(created.key.id.size() == 20);
  CHECK(created.secret.size() == 43);  // 32 random bytes
  CHECK(base64Decode(created.encoded) == created.key.id + ":" + created.secret);
  CHECK(created.key.username == "alice");
  CHECK(created.key.name == "ci");
  CHECK(created.key.creation == toEpochMillis(t0));
  CHECK_FALSE(created.key.expiration.has_value());

  const auto check = f.store.check(created.key.id, created.secret, t0 + 1000 * 24h);
  CHECK(check.outcome == Outcome::valid);
  REQUIRE(check.key.has_value());
  CHECK(check.key->username == "alice");
  CHECK(f.store.check(created.key.id, created.secret + "x", t0).outcome == Outcome::wrongSecret);
  CHECK_FALSE(f.store.check(created.key.id, "wrong", t0).key.has_value());
  CHECK(f.store.check("unknown-id", created.secret, t0).outcome == Outcome::unknown);
  CHECK(f.store.create("alice", "ci", std::nullopt, t0).key.id != created.key.id);
}

TEST_CASE("a key with a lifetime expires") {
  StoreFixture f;
  const auto created = f.store.create("alice", "short", 1h, t0);
  REQUIRE(created.key.expiration.has_value());
  CHECK(*created.key.expiration == toEpochMillis(t0 + 1h));
  CHECK(f.store.check(created.key.id, created.secret, t0 + 1h - 1ms).outcome == Outcome::valid);
  CHECK(f.store.check(created.key.id, created.secret, t0 + 1h).outcome == Outcome::expired);
}

TEST_CASE("invalidation: own keys, others' only with anyOwner, repeats and unknown ids reported") {
  StoreFixture f;
  const auto alices = f.store.create("alice", "a", std::nullopt, t0);
  const auto bobs = f.store.create("bob", "b", std::nullopt, t0);

  auto result = f.store.invalidate({alices.key.id, bobs.key.id, "nope", alices.key.id}, "alice", false, t0 + 1s);
  CHECK(result.invalidated == std::vector<std::string>{alices.key.id});
  CHECK(result.previouslyInvalidated.empty());
  REQUIRE(result.errors.size() == 2);  // bob's key looks just like an unknown one
  CHECK(result.errors[0].first == bobs.key.id);
  CHECK(result.errors[0].second == "no API key with id [" + bobs.key.id + "]");
  CHECK(result.errors[1].first == "nope");
  CHECK(f.store.check(alices.key.id, alices.secret, t0 + 2s).outcome == Outcome::invalidated);
  CHECK(f.store.check(bobs.key.id, bobs.secret, t0 + 2s).outcome == Outcome::valid);

  result = f.store.invalidate({alices.key.id, bobs.key.id}, "root", true, t0 + 3s);
  CHECK(result.invalidated == std::vector<std::string>{bobs.key.id});
  CHECK(result.previouslyInvalidated == std::vector<std::string>{alices.key.id});
  CHECK(result.errors.empty());
  CHECK(f.store.check(bobs.key.id, bobs.secret, t0 + 4s).outcome == Outcome::invalidated);
}

TEST_CASE("list gives a user's keys oldest first, or everybody's for an empty name") {
  StoreFixture f;
  f.store.create("alice", "second", std::nullopt, t0 + 1s);
  f.store.create("bob", "b", std::nullopt, t0);
  f.store.create("alice", "first", std::nullopt, t0);
  const auto keys = f.store.list("alice");
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].name == "first");
  CHECK(keys[1].name == "second");
  CHECK(f.store.list("").size() == 3);
  CHECK(f.store.list("carol").empty());
}

TEST_CASE("keys persist hashed, mode 0600, and a new store reloads them") {
  StoreFixture f;
  const auto kept = f.store.create("alice", "kept", std::nullopt, t0);
  const auto dropped = f.store.create("alice", "dropped", std::nullopt, t0);
  f.store.invalidate({dropped.key.id}, "alice", false, t0);

  const auto text = readFileIfExists(f.file);
  REQUIRE(text.has_value());
  CHECK(text->find(kept.secret) == std::string::npos);
  CHECK(text->find(kept.key.id) != std::string::npos);
  struct stat info {};
  REQUIRE(::stat(f.file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  ApiKeyStore reloaded(f.file, 7 * 24h);
  reloaded.load();
  CHECK(reloaded.list("alice") == f.store.list("alice"));
  CHECK(reloaded.check(kept.key.id, kept.secret, t0).outcome == Outcome::valid);
  CHECK(reloaded.check(dropped.key.id, dropped.secret, t0).outcome == Outcome::invalidated);
}

TEST_CASE("invalidated and expired keys are deleted after the retention period, at the next write") {
  StoreFixture f;
  const auto invalidated = f.store.create("alice", "gone", std::nullopt, t0);
  const auto expiring = f.store.create("alice", "expiring", 1h, t0);
  const auto live = f.store.create("alice", "live", std::nullopt, t0);
  f.store.invalidate({invalidated.key.id}, "alice", false, t0);
  f.store.create("alice", "trigger", std::nullopt, t0 + 7 * 24h - 1s);
  CHECK(f.store.list("alice").size() == 4);  // within retention: still listed
  f.store.create("alice", "trigger", std::nullopt, t0 + 7 * 24h + 1h);
  CHECK_FALSE(f.store.find(invalidated.key.id).has_value());
  CHECK_FALSE(f.store.find(expiring.key.id).has_value());
  CHECK(f.store.find(live.key.id).has_value());
}

TEST_CASE("a failed write changes nothing in memory") {
  orrery::test::TempDir dir;
  const auto blocker = dir.write("blocker", "a file where a folder should be");
  ApiKeyStore store(blocker / "api_keys.json", 24h);
  CHECK_THROWS_AS(store.create("alice", "k", std::nullopt, t0), std::system_error);
  CHECK(store.list("").empty());
}

TEST_CASE("a broken key file is an error naming the file and the field") {
  const auto errorOf = [](const std::string& text) -> std::string {
    try {
      ApiKeyStore::parse(text, "api_keys.json");
    } catch (const ApiKeyFileError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string hash(64, 'a');
  const auto key = [&](const std::string& id, const std::string& h) {
    return R"({"id":")" + id + R"(","name":"n","username":"alice","hash":")" + h +
           R"(","creation":1,"invalidated":false})";
  };
  CHECK(errorOf("{") == "api_keys.json: is not valid JSON");
  CHECK(errorOf("[]") == "api_keys.json: api_keys: expected a list of API keys");
  CHECK(errorOf(R"({"api_keys":[)" + key("a", hash) + "," + key("b", "xyz") + "]}") ==
        "api_keys.json: api_keys[1].hash: expected a 64-digit lowercase hex digest");
  CHECK(errorOf(R"({"api_keys":[)" + key("a", hash) + "," + key("a", hash) + "]}") ==
        "api_keys.json: api_keys[1].id: duplicate id 'a'");
  CHECK(errorOf(R"({"api_keys":[{"id":"a"}]})") == "api_keys.json: api_keys[0].name: expected a non-empty string");
  CHECK(errorOf(R"({"api_keys":[)" + key("a", hash) + "]}") == "(no error)");

  orrery::test::TempDir dir;
  ApiKeyStore store(dir.write("api_keys.json", "{"), 24h);
  CHECK_THROWS_AS(store.load(), ApiKeyFileError);
  ApiKeyStore missing(dir.path() / "none.json", 24h);
  missing.load();
  CHECK(missing.list("").empty());
}

TEST_CASE("format and parse round-trip") {
  const std::vector<ApiKey> keys{
      ApiKey{"id1", "name \"quoted\"", "alice", std::string(64, 'b'), 5, 10, false, std::nullopt},
      ApiKey{"id2", "n", "bob", std::string(64, 'c'), 6, std::nullopt, true, 7},
  };
  CHECK(ApiKeyStore::parse(ApiKeyStore::format(keys), "x") == keys);
}
