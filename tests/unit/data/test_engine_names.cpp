// Names never destroy data: index folders named by uuid with the catalog as the name map,
// every engine entry refusing bad names with the others untouched, delete-then-recreate
// while the old index is in use, file work outside the engine's lock, auto-creation and
// the index cap, and the move of the earlier layout (`<root>/<name>/`) to uuid folders.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "bulk.hpp"
#include "catalog.hpp"
#include "engine_fixture.hpp"
#include "errors.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

namespace {

using namespace std::chrono_literals;

// Long enough never to be reached by a passing run; a failing one ends instead of hanging.
constexpr auto kPatience = 60s;

std::vector<WriteResult> put(Engine& engine, const std::string& index, const std::string& id, json source) {
  WriteOp op;
  op.id = id;
  op.source = std::move(source);
  std::vector<WriteOp> ops;
  ops.push_back(std::move(op));
  return engine.indexForWrite(index)->write(std::move(ops));
}

// Every file and folder under `root` except SQLite's WAL companions (which come and go
// with connections), relative to it.
std::set<std::string> tree(const std::filesystem::path& root) {
  std::set<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const auto name = entry.path().filename().string();
    if (name.ends_with("-wal") || name.ends_with("-shm")) continue;
    out.insert(std::filesystem::relative(entry.path(), root).string());
  }
  return out;
}

// The error `use` throws, as `part` of it (its type or its reason); "accepted" when none.
std::string refusal(const std::function<void()>& use, std::string (*part)(const EngineError&)) {
  try {
    use();
  } catch (const EngineError& e) {
    return part(e);
  }
  return "accepted";
}
std::string errorType(const std::function<void()>& use) {
  return refusal(use, [](const EngineError& e) { return e.type(); });
}
std::string errorReason(const std::function<void()>& use) {
  return refusal(use, [](const EngineError& e) { return std::string(e.what()); });
}

const std::vector<std::string> kBadNames = {
    std::string("logs\0", 5), std::string("\0", 1), std::string("\0logs", 5), "..", ".", "a/b", "../logs", "logs/..",
    std::string(256, 'a'),    "logs\xff",           "logs\x7f",               "logs\x01", "Logs", "_logs", "a b"};

}  // namespace

TEST_CASE("a bad name through any engine entry is refused and every index stays intact on disk") {
  EngineFixture f;
  f.load("logs", {json{{"m", "one"}}, json{{"m", "two"}}});
  f.load("other", {json{{"m", "three"}}});
  const auto root = f.engine.root();
  const auto before = tree(root);
  for (const auto& bad : kBadNames) {
    CAPTURE(printableName(bad));
    const std::string invalid = "invalid_index_name_exception";
    CHECK(errorType([&] { f.engine.createIndex(bad, nullptr); }) == invalid);
    CHECK(errorType([&] { f.engine.indexForWrite(bad); }) == invalid);
    CHECK(errorType([&] { f.engine.findIndex(bad); }) == invalid);
    CHECK(errorType([&] { f.engine.index(bad); }) == invalid);
    CHECK(errorType([&] { f.engine.resolve(bad); }) == invalid);
    CHECK(errorType([&] { f.engine.resolve("other," + bad); }) == invalid);
    CHECK(errorType([&] { f.engine.deleteIndex(bad); }) == invalid);
    CHECK(errorType([&] { put(f.engine, bad, "1", json{{"m", "x"}}); }) == invalid);
    // A bulk request naming it in an action line: that item fails, the others are written.
    const std::string body = "{\"index\":{\"_index\":" + json(bad).dump(-1, ' ', false, json::error_handler_t::replace) +
                             ",\"_id\":\"z\"}}\n{\"m\":\"bad\"}\n{\"index\":{\"_index\":\"other\",\"_id\":\"ok\"}}\n{\"m\":\"ok\"}\n";
    const auto response = executeBulk(f.engine, parseBulk(body, ""), false);
    // Invalid UTF-8 cannot be written as JSON: replaced by U+FFFD it is a valid name (below).
    const bool replaced = body.find("\xEF\xBF\xBD") != std::string::npos;
    CHECK(response["errors"] == !replaced);
    CHECK(response["items"][0]["index"]["status"] == (replaced ? 201 : 400));
    CHECK(response["items"][1]["index"]["status"].get<int>() < 300);
  }
  // `logs\xff` cannot be dumped as JSON: replaced, it is a valid name then, so the bulk
  // case made `logs\ufffd`; every other case made nothing.
  auto after = tree(root);
  const auto made = f.engine.folder("logs\xEF\xBF\xBD");
  if (!made.empty()) {
    std::erase_if(after, [&](const std::string& p) { return p.starts_with(made.filename().string()); });
  }
  CHECK(after == before);
  CHECK(f.engine.index("logs")->count() == 2);
  CHECK(f.ids("logs", json{{"query", {{"match", {{"m", "two"}}}}}}) == std::vector<std::string>{"2"});
  // And after a restart.
  Engine reopened(root);
  CHECK(reopened.index("logs")->count() == 2);
  CHECK(reopened.index("other")->count() == 2);
}

TEST_CASE("an index deleted while in use and created again under its name keeps the new index's files") {
  EngineFixture f;
  f.load("logs", {json{{"_id_", "old"}, {"m", "before"}}});
  auto old = f.engine.index("logs");  // what a running search or bulk request holds
  const auto oldDir = old->dir();
  f.engine.deleteIndex("logs");
  CHECK(std::filesystem::exists(oldDir));  // still in use
  // The old index still answers its running search.
  CHECK(countIndices({old}, Query{}) == 1);
  auto created = f.engine.createIndex("logs", nullptr);
  CHECK(created->dir() != oldDir);
  put(f.engine, "logs", "new", json{{"m", "after"}});
  old.reset();  // the search ends: the old index's folder goes, and only it
  CHECK_FALSE(std::filesystem::exists(oldDir));
  REQUIRE(std::filesystem::exists(created->dir() / "shard-0.sqlite"));
  CHECK(f.engine.index("logs")->count() == 1);
  CHECK(f.engine.index("logs")->get("new").has_value());
  CHECK_FALSE(f.engine.index("logs")->get("old").has_value());
  created.reset();
  Engine reopened(f.engine.root());
  CHECK(reopened.index("logs")->count() == 1);
  CHECK(reopened.index("logs")->get("new").has_value());
  // The catalog forgot the old index: one row, the new one.
  Catalog catalog(f.engine.root() / "catalog.sqlite");
  const auto entries = catalog.entries();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].state == "ready");
  CHECK(f.engine.root() / entries[0].uuid == f.engine.folder("logs"));
}

TEST_CASE("the engine's lock is not held while an index's files are created or removed") {
  orrery::test::TempDir dir;
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> armed = false;
  EngineOptions options;
  options.duringFileWork = [&](const std::string& name) {
    if (name != "slow" || !armed.exchange(false)) return;
    entered.set_value();
    released.wait();
  };
  Engine engine(dir.path() / "indices", options);
  put(engine, "other", "1", json{{"m", "x"}});

  SUBCASE("creation") {
    armed = true;
    auto creating = std::async(std::launch::async, [&] { return engine.createIndex("slow", nullptr); });
    entered.get_future().wait();
    // While "slow" is being made: other indices are read, written and created, and a
    // second creation of "slow" is refused as Elasticsearch refuses it.
    auto others = std::async(std::launch::async, [&] {
      put(engine, "other", "2", json{{"m", "y"}});
      CHECK(engine.index("other")->count() == 2);
      CHECK(engine.resolve("other").size() == 1);
      engine.createIndex("third", nullptr);
      return errorType([&] { engine.createIndex("slow", nullptr); });
    });
    const bool answered = others.wait_for(kPatience) == std::future_status::ready;
    CHECK(answered);
    release.set_value();
    CHECK(others.get() == "resource_already_exists_exception");
    CHECK(creating.get()->name() == "slow");
    CHECK(engine.index("slow")->count() == 0);
  }
  SUBCASE("deletion") {
    engine.createIndex("slow", nullptr);
    armed = true;
    auto deleting = std::async(std::launch::async, [&] { engine.deleteIndex("slow"); });
    entered.get_future().wait();
    auto others = std::async(std::launch::async, [&] {
      put(engine, "other", "2", json{{"m", "y"}});
      CHECK(engine.index("other")->count() == 2);
      engine.createIndex("third", nullptr);
    });
    const bool answered = others.wait_for(kPatience) == std::future_status::ready;
    CHECK(answered);
    release.set_value();
    others.get();
    deleting.get();
    CHECK_FALSE(engine.findIndex("slow"));
    CHECK(engine.findIndex("third"));
  }
}

TEST_CASE("a write to a missing index auto-creates it only as action.auto_create_index allows") {
  orrery::test::TempDir dir;
  SUBCASE("false") {
    EngineOptions options;
    options.autoCreate = false;
    Engine engine(dir.path() / "indices", options);
    try {
      put(engine, "new", "1", json{{"m", "x"}});
      FAIL("created");
    } catch (const EngineError& e) {
      CHECK(e.status() == 404);
      CHECK(e.type() == "index_not_found_exception");
      CHECK(std::string(e.what()) == "no such index [new] and [action.auto_create_index] is [false]");
      CHECK(e.extra()["index"] == "new");
    }
    CHECK_FALSE(engine.findIndex("new"));
    engine.createIndex("new", nullptr);  // explicit creation is not auto-creation
    CHECK(put(engine, "new", "1", json{{"m", "x"}})[0].status() == 201);
    // A bulk item naming a missing index fails alone.
    const auto response = executeBulk(engine, parseBulk("{\"index\":{\"_index\":\"nope\"}}\n{}\n{\"index\":{\"_index\":\"new\"}}\n{}\n", ""), false);
    CHECK(response["items"][0]["index"]["status"] == 404);
    CHECK(response["items"][0]["index"]["error"]["type"] == "index_not_found_exception");
    CHECK(response["items"][1]["index"]["status"] == 201);
  }
  SUBCASE("patterns: the first that matches decides") {
    EngineOptions options;
    options.autoCreatePatterns = {"-logs-secret*", "+logs-*"};
    Engine engine(dir.path() / "indices", options);
    CHECK(put(engine, "logs-a", "1", json{{"m", "x"}})[0].status() == 201);
    CHECK(errorReason([&] { put(engine, "logs-secret", "1", json{}); }) ==
          "no such index [logs-secret] and [action.auto_create_index] contains [-logs-secret*] which forbids automatic "
          "creation of the index");
    CHECK(errorReason([&] { put(engine, "metrics", "1", json{}); }) ==
          "no such index [metrics] and [action.auto_create_index] ([-logs-secret*,+logs-*]) doesn't match");
  }
}

TEST_CASE("data.local.maxIndices refuses creation past the cap, naming it") {
  orrery::test::TempDir dir;
  EngineOptions options;
  options.maxIndices = 2;
  Engine engine(dir.path() / "indices", options);
  engine.createIndex("a", nullptr);
  put(engine, "b", "1", json{{"m", "x"}});
  for (const auto& create : std::vector<std::function<void()>>{[&] { engine.createIndex("c", nullptr); },
                                                               [&] { engine.indexForWrite("c"); }}) {
    try {
      create();
      FAIL("created");
    } catch (const EngineError& e) {
      CHECK(e.status() == 400);
      CHECK(e.type() == "validation_exception");
      CHECK(std::string(e.what()).find("[2]/[2] maximum indices open") != std::string::npos);
      CHECK(std::string(e.what()).find("data.local.maxIndices") != std::string::npos);
    }
  }
  CHECK_FALSE(engine.findIndex("c"));
  engine.deleteIndex("a");
  CHECK(engine.createIndex("c", nullptr)->name() == "c");
}

TEST_CASE("indices in the earlier layout (<root>/<name>/) move to their uuid folder once, documents kept") {
  orrery::test::TempDir dir;
  const auto root = dir.path() / "indices";
  std::string uuid;
  {
    // Made as an earlier version made it: shards in a folder named by the index, no catalog.
    Engine engine(root);
    auto index = engine.createIndex("legacy", json{{"settings", {{"number_of_shards", 2}}}});
    uuid = index->settings().uuid;
    std::vector<WriteOp> ops;
    for (int i = 0; i < 20; ++i) {
      WriteOp op;
      op.id = std::to_string(i);
      op.source = json{{"n", i}, {"m", "doc"}};
      ops.push_back(std::move(op));
    }
    index->write(std::move(ops));
  }
  std::filesystem::rename(root / uuid, root / "legacy");
  std::filesystem::remove(root / "catalog.sqlite");
  std::filesystem::remove(root / "catalog.sqlite-wal");
  std::filesystem::remove(root / "catalog.sqlite-shm");
  std::filesystem::create_directories(root / "notes");  // not an index: never touched
  std::ofstream(root / "notes" / "readme") << "mine";

  SUBCASE("at open") {
  }
  SUBCASE("after a crash between recording the move and renaming the folder") {
    Catalog(root / "catalog.sqlite").adopt(uuid, "legacy", "legacy");
  }
  for (int run = 0; run < 2; ++run) {
    Engine engine(root);
    const auto index = engine.index("legacy");
    CHECK(index->count() == 20 + run);  // each run adds one document below
    CHECK(index->settings().uuid == uuid);
    CHECK(engine.folder("legacy") == root / uuid);
    CHECK_FALSE(std::filesystem::exists(root / "legacy"));
    CHECK(countIndices(engine.resolve("legacy"), Query{}) == 20 + run);
    CHECK(put(engine, "legacy", "new" + std::to_string(run), json{{"n", 99}})[0].status() == 201);
    CHECK(engine.index("legacy")->count() == 21 + run);
    engine.deleteIndex("legacy,-legacy");  // touches nothing
  }
  std::ifstream notes(root / "notes" / "readme");
  CHECK(std::string(std::istreambuf_iterator<char>(notes), {}) == "mine");
  const auto entries = Catalog(root / "catalog.sqlite").entries();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].legacy.empty());
}

TEST_CASE("at open, a deletion a crash interrupted is finished and a creation it interrupted is left alone") {
  orrery::test::TempDir dir;
  const auto root = dir.path() / "indices";
  std::filesystem::path doomed, halfMade;
  {
    Engine engine(root);
    engine.createIndex("doomed", nullptr);
    engine.createIndex("kept", nullptr);
    doomed = engine.folder("doomed");
  }
  {
    Catalog catalog(root / "catalog.sqlite");
    catalog.deleted(doomed.filename().string());
    catalog.creating("halfmadeAAAAAAAAAAAAAA", "half");
  }
  halfMade = root / "halfmadeAAAAAAAAAAAAAA";
  std::filesystem::create_directories(halfMade);
  std::ofstream(halfMade / "shard-0.sqlite") << "partial";
  Engine engine(root);
  CHECK(engine.names("*") == std::set<std::string>{"kept"});
  CHECK_FALSE(std::filesystem::exists(doomed));
  CHECK(std::filesystem::exists(halfMade / "shard-0.sqlite"));  // not this process's: not removed
  CHECK(engine.createIndex("half", nullptr)->dir() != halfMade);
  CHECK(engine.createIndex("doomed", nullptr)->dir() != doomed);
}

TEST_CASE("a creation that fails removes only its own folder and record") {
  EngineFixture f;
  f.load("logs", {json{{"m", "one"}}});
  const auto before = tree(f.engine.root());
  CHECK(errorType([&] { f.engine.createIndex("bad", json{{"settings", {{"number_of_shards", 0}}}}); }) ==
        "illegal_argument_exception");
  CHECK(tree(f.engine.root()) == before);
  CHECK(Catalog(f.engine.root() / "catalog.sqlite").entries().size() == 1);
  CHECK(f.engine.createIndex("bad", nullptr)->name() == "bad");
}
