// Searches and gets read a shard through connections of their own (ShardReader): they run
// beside a write transaction and beside each other, see only committed documents, and
// see one committed state for the whole search, with the fields of that state.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>

#include "engine_fixture.hpp"

using namespace orrery::data;
using orrery::data::test::EngineFixture;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<Index> tenDocuments(EngineFixture& f) {
  std::vector<json> docs;
  for (int i = 0; i < 10; ++i) docs.push_back(json{{"n", i}, {"msg", "word"}});
  f.load("r", docs);
  return f.engine.index("r");
}

std::int64_t countAll(Index& index) {
  return searchShard(index, *index.shards()[0], parseSearchRequest(json::object()), currentMillis(), nullptr).total;
}

}  // namespace

TEST_CASE("a search and a get run beside a write transaction in progress and see only what is committed") {
  EngineFixture f;
  auto index = tenDocuments(f);
  auto& shard = *index->shards()[0];
  std::unique_lock writer(shard.mutex());
  shard.begin();
  shard.put("pending", R"({"n":99})", {IndexedValue{"n", FieldType::long_, std::int64_t{99}}}, OpType::index, {});
  // Before, a search took the writer's mutex: it would wait here until the commit.
  auto search = std::async(std::launch::async, [&] { return countAll(*index); });
  auto get = std::async(std::launch::async, [&] { return index->get("pending").has_value(); });
  // A deadlock detector, not a synchronisation: both finish at once when they run beside.
  const bool ranBeside = search.wait_for(60s) == std::future_status::ready && get.wait_for(60s) == std::future_status::ready;
  shard.commit();
  writer.unlock();
  CHECK(ranBeside);
  CHECK(search.get() == 10);
  CHECK_FALSE(get.get());
  CHECK(countAll(*index) == 11);
  CHECK(index->get("pending")->source == R"({"n":99})");
}

TEST_CASE("two searches of one shard run at the same time") {
  EngineFixture f;
  auto index = tenDocuments(f);
  auto& shard = *index->shards()[0];
  // Both searches stop at their first row until the other one has reached its own: they
  // meet only if neither waits for the other to finish.
  struct Rendezvous {
    std::mutex mutex;
    std::condition_variable arrived;
    std::set<sqlite3*> connections;  // the connections that reached a row
    bool met = false;
  } rendezvous;
  const auto meet = [](unsigned, void* context, void* stmt, void*) -> int {
    if (std::string_view(sqlite3_sql(static_cast<sqlite3_stmt*>(stmt))).find("FROM docs") == std::string_view::npos) return 0;
    auto* r = static_cast<Rendezvous*>(context);
    std::unique_lock lock(r->mutex);
    if (r->met) return 0;
    r->connections.insert(sqlite3_db_handle(static_cast<sqlite3_stmt*>(stmt)));
    if (r->connections.size() == 2) {
      r->met = true;
      r->arrived.notify_all();
      return 0;
    }
    // A deadlock detector, not a synchronisation.
    r->arrived.wait_for(lock, 60s, [&] { return r->met; });
    return 0;
  };
  {
    // Two reader connections, each with the trace, left idle in the shard's pool.
    auto first = shard.read();
    auto second = shard.read();
    sqlite3_trace_v2(first.db().handle(), SQLITE_TRACE_ROW, meet, &rendezvous);
    sqlite3_trace_v2(second.db().handle(), SQLITE_TRACE_ROW, meet, &rendezvous);
  }
  auto a = std::async(std::launch::async, [&] { return countAll(*index); });
  auto b = std::async(std::launch::async, [&] { return countAll(*index); });
  CHECK(a.get() == 10);
  CHECK(b.get() == 10);
  std::lock_guard lock(rendezvous.mutex);
  CHECK(rendezvous.met);
}

TEST_CASE("a search sees the fields of the state it reads: a field committed later is not half there") {
  EngineFixture f;
  auto index = tenDocuments(f);
  auto& shard = *index->shards()[0];
  auto before = shard.read();  // its snapshot and fields: before the new field
  f.load("r", {json{{"_id_", "late"}, {"extra", "x"}}});
  CHECK(before.field("extra") == nullptr);
  auto stmt = before.db().prepare("SELECT count(*) FROM docs");
  REQUIRE(stmt.step());
  CHECK(stmt.integer(0) == 10);
  auto after = shard.read();
  REQUIRE(after.field("extra") != nullptr);
  CHECK(f.search("r", json{{"query", {{"term", {{"extra.keyword", "x"}}}}}})["hits"]["total"]["value"] == 1);
}
