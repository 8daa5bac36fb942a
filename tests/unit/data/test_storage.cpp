// Index storage: shards as SQLite files, mappings (explicit, dynamic, conflicts), document
// writes with versions and conditions, bulk partial failure, durability across reopen.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <optional>

#include "engine_fixture.hpp"
#include "errors.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;

TEST_CASE("an index keeps one SQLite file per shard in a folder named by its uuid") {
  EngineFixture f;
  const auto index = f.create("logs", json{{"settings", {{"number_of_shards", 3}}}});
  const auto dir = f.engine.root() / index->settings().uuid;
  CHECK(index->dir() == dir);
  CHECK(f.engine.folder("logs") == dir);
  for (int i = 0; i < 3; ++i) {
    CHECK(std::filesystem::exists(dir / std::string("shard-").append(std::to_string(i)).append(".sqlite")));
  }
  CHECK_FALSE(std::filesystem::exists(dir / "shard-3.sqlite"));
  CHECK_FALSE(std::filesystem::exists(f.engine.root() / "logs"));
}

TEST_CASE("index names are validated as Elasticsearch does") {
  EngineFixture f;
  for (const std::string bad : {"Upper", "_under", "-dash", "a*b", "a,b", "", ".", "a b"}) {
    CAPTURE(bad);
    try {
      f.create(bad);
      FAIL("accepted");
    } catch (const EngineError& e) {
      CHECK(e.type() == "invalid_index_name_exception");
      CHECK(e.status() == 400);
    }
  }
}

TEST_CASE("creating an existing index is resource_already_exists_exception") {
  EngineFixture f;
  f.create("a");
  try {
    f.create("a");
    FAIL("accepted");
  } catch (const EngineError& e) {
    CHECK(e.type() == "resource_already_exists_exception");
    CHECK(std::string(e.what()).find("index [a/") == 0);
  }
}

TEST_CASE("dynamic mapping types new fields; strings become text with a keyword subfield") {
  EngineFixture f;
  f.load("dyn", {json{{"msg", "Hello World"}, {"n", 5}, {"x", 1.5}, {"ok", true}, {"at", "2024-05-01T10:00:00Z"},
                      {"obj", {{"inner", "v"}}}}});
  const auto mapping = f.engine.index("dyn")->mapping();
  CHECK(std::string(toString(mapping.find("msg")->type)) == "text");
  CHECK(std::string(toString(mapping.find("msg.keyword")->type)) == "keyword");
  CHECK(std::string(toString(mapping.find("n")->type)) == "long");
  CHECK(std::string(toString(mapping.find("x")->type)) == "float");
  CHECK(std::string(toString(mapping.find("ok")->type)) == "boolean");
  CHECK(std::string(toString(mapping.find("at")->type)) == "date");
  CHECK(std::string(toString(mapping.find("obj.inner")->type)) == "text");
  const auto rendered = mapping.toJson();
  CHECK(rendered["properties"]["msg"]["fields"]["keyword"]["type"] == "keyword");
  CHECK(rendered["properties"]["obj"]["properties"]["inner"]["type"] == "text");
}

TEST_CASE("a value that does not fit its field is refused for that document only") {
  EngineFixture f;
  f.create("typed", json{{"mappings", {{"properties", {{"count", {{"type", "integer"}}}, {"when", {{"type", "date"}}}}}}}});
  auto results = f.load("typed", {json{{"count", 1}}, json{{"count", "many"}}, json{{"when", "yesterday"}},
                                  json{{"count", "7"}}, json{{"count", 5000000000LL}}});
  REQUIRE(results.size() == 5);
  CHECK(results[0].status() == 201);
  REQUIRE(results[1].error);
  CHECK(results[1].error->type() == "mapper_parsing_exception");
  CHECK(std::string(results[1].error->what()).find("failed to parse field [count] of type [integer] in document with id '2'") == 0);
  REQUIRE(results[2].error);
  CHECK(std::string(results[2].error->what()).find("[when] of type [date]") != std::string::npos);
  CHECK(results[3].status() == 201);  // numeric strings are coerced, as Elasticsearch does
  REQUIRE(results[4].error);          // out of the integer range
  CHECK(f.engine.index("typed")->count() == 2);
}

TEST_CASE("dynamic conflicts: a later document with another type for a field is refused") {
  EngineFixture f;
  f.load("c", {json{{"n", 1}}});
  auto results = f.load("c", {json{{"_id_", "x"}, {"n", "text"}}, json{{"_id_", "y"}, {"n", {{"a", 1}}}}});
  REQUIRE(results[0].error);
  CHECK(results[0].error->type() == "mapper_parsing_exception");
  REQUIRE(results[1].error);
  CHECK(results[1].error->type() == "mapper_parsing_exception");
  // an object field given a concrete value
  f.load("o", {json{{"o", {{"a", 1}}}}});
  auto scalar = f.load("o", {json{{"_id_", "z"}, {"o", 5}}});
  REQUIRE(scalar[0].error);
  CHECK(std::string(scalar[0].error->what()).find("object mapping for [o]") == 0);
}

TEST_CASE("versions, create conflicts and if_seq_no conditions") {
  EngineFixture f;
  auto index = f.engine.indexForWrite("v");
  WriteOp put{WriteOp::Kind::index, "1", json{{"a", 1}}, false, nullptr, {}, {}, 0};
  auto first = index->write({put});
  CHECK(first[0].outcome->result == "created");
  CHECK(first[0].outcome->version == 1);
  auto second = index->write({put});
  CHECK(second[0].outcome->result == "updated");
  CHECK(second[0].outcome->version == 2);

  WriteOp create{WriteOp::Kind::create, "1", json{{"a", 2}}, false, nullptr, {}, {}, 0};
  auto conflict = index->write({create});
  REQUIRE(conflict[0].error);
  CHECK(conflict[0].error->status() == 409);
  CHECK(conflict[0].error->type() == "version_conflict_engine_exception");

  WriteOp stale = put;
  stale.conditions.ifSeqNo = 0;
  stale.conditions.ifPrimaryTerm = 1;
  auto staleResult = index->write({stale});
  REQUIRE(staleResult[0].error);
  CHECK(staleResult[0].error->status() == 409);
  WriteOp fresh = put;
  fresh.conditions.ifSeqNo = second[0].outcome->seqNo;
  fresh.conditions.ifPrimaryTerm = 1;
  CHECK(index->write({fresh})[0].outcome->version == 3);
}

TEST_CASE("partial update merges the document; a missing one is document_missing_exception") {
  EngineFixture f;
  f.load("u", {json{{"_id_", "1"}, {"a", 1}, {"o", {{"x", 1}, {"y", 2}}}}});
  auto index = f.engine.index("u");
  auto result = index->write({WriteOp{WriteOp::Kind::update, "1", json{{"b", 2}, {"o", {{"y", 3}}}}, false, nullptr, {}, {}, 0}});
  CHECK(result[0].outcome->result == "updated");
  CHECK(json::parse(index->get("1")->source) == json{{"a", 1}, {"b", 2}, {"o", {{"x", 1}, {"y", 3}}}});
  auto noop = index->write({WriteOp{WriteOp::Kind::update, "1", json{{"b", 2}}, false, nullptr, {}, {}, 0}});
  CHECK(noop[0].outcome->result == "noop");
  auto missing = index->write({WriteOp{WriteOp::Kind::update, "2", json{{"b", 2}}, false, nullptr, {}, {}, 0}});
  REQUIRE(missing[0].error);
  CHECK(missing[0].error->type() == "document_missing_exception");
  CHECK(missing[0].status() == 404);
  auto upsert = index->write({WriteOp{WriteOp::Kind::update, "2", json{{"b", 2}}, true, nullptr, {}, {}, 0}});
  CHECK(upsert[0].outcome->result == "created");
}

TEST_CASE("delete removes the document from search and counts; deleting again is not_found") {
  EngineFixture f;
  f.load("d", {json{{"_id_", "1"}, {"msg", "alpha beta"}}, json{{"_id_", "2"}, {"msg", "alpha"}}});
  auto index = f.engine.index("d");
  auto del = index->write({WriteOp{WriteOp::Kind::del, "1", nullptr, false, nullptr, {}, {}, 0}});
  CHECK(del[0].outcome->result == "deleted");
  CHECK(f.ids("d", json{{"query", {{"match", {{"msg", "alpha"}}}}}}) == std::vector<std::string>{"2"});
  auto again = index->write({WriteOp{WriteOp::Kind::del, "1", nullptr, false, nullptr, {}, {}, 0}});
  CHECK(again[0].outcome->result == "not_found");
  CHECK(again[0].status() == 404);
}

TEST_CASE("documents, mappings and settings survive reopening the engine") {
  orrery::test::TempDir dir;
  {
    Engine engine(dir.path());
    engine.createIndex("keep", json{{"settings", {{"number_of_shards", 2}}},
                                    {"mappings", {{"properties", {{"code", {{"type", "keyword"}}}}}}}});
    std::vector<WriteOp> ops;
    for (int i = 0; i < 20; ++i) {
      ops.push_back(WriteOp{WriteOp::Kind::index, std::to_string(i), json{{"code", std::string("c").append(std::to_string(i % 3))}, {"n", i}}, false, nullptr, {}, {}, 0});
    }
    auto results = engine.index("keep")->write(std::move(ops));
    for (const auto& r : results) REQUIRE_FALSE(r.error);
  }
  Engine reopened(dir.path());
  auto index = reopened.index("keep");
  CHECK(index->settings().numberOfShards == 2);
  CHECK(index->count() == 20);
  CHECK(std::string(toString(index->mapping().find("code")->type)) == "keyword");
  CHECK(std::string(toString(index->mapping().find("n")->type)) == "long");
  CHECK(json::parse(index->get("7")->source)["n"] == 7);
  // Versions continue where they were.
  auto again = index->write({WriteOp{WriteOp::Kind::index, "7", json{{"n", 70}}, false, nullptr, {}, {}, 0}});
  CHECK(again[0].outcome->version == 2);
}

namespace {

// The synchronous level of each shard's connection: 2 FULL (synced at each commit), 1 NORMAL.
std::vector<std::int64_t> shardSyncLevels(Index& index) {
  std::vector<std::int64_t> levels;
  for (auto& shard : index.shards()) {
    auto stmt = shard->db().prepare("PRAGMA synchronous");
    REQUIRE(stmt.step());
    levels.push_back(stmt.integer(0));
  }
  return levels;
}

}  // namespace

TEST_CASE("index.translog.durability: request (the default) syncs each commit, async leaves it to the OS") {
  orrery::test::TempDir dir;
  {
    Engine engine(dir.path());
    engine.createIndex("plain", json{{"settings", {{"number_of_shards", 2}}}});
    engine.createIndex("fast", json{{"settings", {{"index", {{"translog", {{"durability", "ASYNC"}}}, {"number_of_shards", 2}}}}}});
    engine.createIndex("dotted", json{{"settings", {{"index.translog.durability", "request"}}}});
    CHECK(shardSyncLevels(*engine.index("plain")) == std::vector<std::int64_t>{2, 2});
    CHECK(shardSyncLevels(*engine.index("fast")) == std::vector<std::int64_t>{1, 1});
    CHECK(shardSyncLevels(*engine.index("dotted")) == std::vector<std::int64_t>{2});
    CHECK(engine.index("fast")->settingsJson()["index"]["translog"]["durability"] == "async");
    CHECK(engine.index("plain")->settingsJson()["index"]["translog"]["durability"] == "request");
    try {
      engine.createIndex("bad", json{{"settings", {{"index.translog.durability", "sometimes"}}}});
      FAIL("accepted");
    } catch (const EngineError& e) {
      CHECK(e.type() == "illegal_argument_exception");
      CHECK(std::string(e.what()) ==
            "Failed to parse value [sometimes] for setting [index.translog.durability]: must be [request] or [async]");
    }
    try {
      engine.createIndex("bad", json{{"settings", {{"index", {{"translog", {{"sync_interval", "5s"}}}}}}}});
      FAIL("accepted");
    } catch (const EngineError& e) {
      CHECK(std::string(e.what()).starts_with("unknown setting [index.translog.sync_interval]"));
    }
  }
  // Kept across a restart.
  Engine reopened(dir.path());
  CHECK(shardSyncLevels(*reopened.index("fast")) == std::vector<std::int64_t>{1, 1});
  CHECK(shardSyncLevels(*reopened.index("plain")) == std::vector<std::int64_t>{2, 2});
}

TEST_CASE("a deleted index is gone from the engine and from disk") {
  EngineFixture f;
  f.load("gone", {json{{"a", 1}}});
  const auto dir = f.engine.folder("gone");
  REQUIRE(std::filesystem::exists(dir));
  f.engine.deleteIndex("gone");
  CHECK_FALSE(f.engine.findIndex("gone"));
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK_THROWS_AS(f.engine.index("gone"), EngineError);
}

TEST_CASE("index expressions: lists, wildcards, exclusions and missing names") {
  EngineFixture f;
  for (const auto* name : {"logs-a", "logs-b", "metrics"}) f.create(name);
  const auto names = [&](const std::string& expression) {
    std::vector<std::string> out;
    for (const auto& index : f.engine.resolve(expression)) out.push_back(index->name());
    return out;
  };
  CHECK(names("logs-*") == std::vector<std::string>{"logs-a", "logs-b"});
  CHECK(names("logs-*,-logs-b") == std::vector<std::string>{"logs-a"});
  CHECK(names("_all").size() == 3);
  CHECK(names("metrics,logs-a") == std::vector<std::string>{"logs-a", "metrics"});
  CHECK(names("nothing-*").empty());
  try {
    f.engine.resolve("metrics,missing");
    FAIL("resolved");
  } catch (const EngineError& e) {
    CHECK(e.type() == "index_not_found_exception");
    CHECK(e.status() == 404);
    CHECK(e.body()["error"]["root_cause"][0]["resource.id"] == "missing");
  }
}

namespace {

const std::string kGarbage = "not a SQLite file, and long enough to be read as a header ......";

// An engine folder with a good index `kept` and an index `broken` whose shard file is not
// a database; returns the folder.
std::filesystem::path keptAndBroken(const orrery::test::TempDir& dir) {
  const auto root = dir.path() / "indices";
  {
    Engine engine(root);
    engine.createIndex("kept", nullptr);
  }
  std::filesystem::create_directories(root / "broken");
  std::ofstream(root / "broken" / "shard-0.sqlite") << kGarbage;
  return root;
}

}  // namespace

TEST_CASE("constructing an engine opens no index file: they open on first use") {
  orrery::test::TempDir dir;
  // A broken index folder next to a good one: a constructor that opened files would throw.
  const auto root = keptAndBroken(dir);
  std::optional<Engine> engine;
  CHECK_NOTHROW(engine.emplace(root));
  std::vector<std::map<std::string, std::string>> heard;
  engine->onBrokenChanged([&](const std::map<std::string, std::string>& broken) { heard.push_back(broken); });
  CHECK(heard.empty());
  const auto names = engine->all();  // the first use opens them; the broken one is kept aside
  REQUIRE(names.size() == 1);
  CHECK(names[0]->name() == "kept");
  REQUIRE(heard.size() == 1);
  REQUIRE(heard[0].count("broken") == 1);
  CHECK(heard[0]["broken"].find("not a database") != std::string::npos);
}

TEST_CASE("an index that does not open is refused with the reason, never created over, and can be deleted") {
  orrery::test::TempDir dir;
  const auto root = keptAndBroken(dir);
  Engine engine(root);
  const auto unavailable = [](const std::function<void()>& use) {
    try {
      use();
      FAIL("accepted");
    } catch (const EngineError& e) {
      CHECK(e.status() == 503);
      CHECK(e.type() == "no_shard_available_action_exception");
      CHECK(std::string(e.what()).starts_with("[broken] cannot be used: its files did not open ("));
    }
  };
  unavailable([&] { engine.index("broken"); });
  unavailable([&] { engine.resolve("broken"); });
  unavailable([&] { engine.resolve("*"); });
  unavailable([&] { engine.createIndex("broken", nullptr); });
  unavailable([&] { engine.indexForWrite("broken"); });
  const auto available = engine.resolve("*", true);
  REQUIRE(available.size() == 1);
  CHECK(available[0]->name() == "kept");
  CHECK(engine.names("*") == std::set<std::string>{"broken", "kept"});
  // Moved from the earlier layout's folder to its uuid's, its bytes untouched.
  const auto folder = engine.folder("broken");
  CHECK(folder.parent_path() == root);
  CHECK(folder.filename() != "broken");
  std::ifstream in(folder / "shard-0.sqlite");
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == kGarbage);

  std::vector<std::size_t> heard;
  engine.onBrokenChanged([&](const std::map<std::string, std::string>& broken) { heard.push_back(broken.size()); });
  engine.deleteIndex("broken");
  CHECK(heard == std::vector<std::size_t>{0});
  CHECK_FALSE(std::filesystem::exists(folder));
  CHECK(engine.broken().empty());
  CHECK(engine.createIndex("broken", nullptr)->name() == "broken");
}
