#include "storage_contract.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

// `prefix` then `n`, built by append: g++ 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text.append(std::to_string(n));
  return text;
}

namespace orrery::test {

namespace {

using namespace orrery::storage;

std::vector<std::string> ids(const FindResult& result) {
  std::vector<std::string> out;
  for (const auto& document : result.documents) out.push_back(document.id);
  return out;
}

template <class F>
ErrorKind errorOf(F&& call, std::string* message = nullptr) {
  try {
    call();
  } catch (const StorageError& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  FAIL("the call did not throw StorageError");
  return ErrorKind::failed;
}

void seedPlanets(StorageBackend& store) {
  // name, order, mass class, ring flag; one owned by "alice".
  store.create({"planet", "mercury", R"({"order":1,"kind":"rock","rings":false,"moons":0})", ""});
  store.create({"planet", "venus", R"({"order":2,"kind":"rock","rings":false,"moons":0})", ""});
  store.create({"planet", "earth", R"({"order":3,"kind":"rock","rings":false,"moons":1,"life":{"known":true}})", "alice"});
  store.create({"planet", "mars", R"({"order":4,"kind":"rock","rings":false,"moons":2})", "alice"});
  store.create({"planet", "jupiter", R"({"order":5,"kind":"gas","rings":true,"moons":95,"mass":317.8})", ""});
  store.create({"planet", "saturn", R"({"order":6,"kind":"gas","rings":true,"moons":146,"mass":95.2})", "bob"});
  store.create({"moon", "luna", R"({"order":1})", ""});
}

}  // namespace

void runStorageContract(const ContractStoreFactory& makeStore) {
  auto storeHolder = makeStore();
  auto backend = storeHolder->open();
  auto& store = *backend;

  SUBCASE("create then get returns the body, version 1 and the owner") {
    const auto created = store.create({"note", "n1", R"({"text":"hi"})", "alice"});
    CHECK(created.version == 1);
    const auto read = store.get("note", "n1");
    REQUIRE(read.has_value());
    CHECK(read->type == "note");
    CHECK(read->id == "n1");
    CHECK(read->body == R"({"text":"hi"})");
    CHECK(read->version == 1);
    CHECK(read->owner == "alice");
    CHECK_FALSE(store.get("note", "n2").has_value());
    CHECK_FALSE(store.get("other", "n1").has_value());
  }

  SUBCASE("create with an existing id is a conflict and keeps the stored body") {
    store.create({"note", "n1", R"({"text":"first"})", ""});
    std::string message;
    CHECK(errorOf([&] { store.create({"note", "n1", R"({"text":"second"})", ""}); }, &message) == ErrorKind::conflict);
    CHECK(message.find("note/n1") != std::string::npos);
    CHECK(store.get("note", "n1")->body == R"({"text":"first"})");
    // The same id under another type is another document.
    CHECK(store.create({"other", "n1", "{}", ""}).version == 1);
  }

  SUBCASE("update needs the current version; a stale one is a conflict") {
    store.create({"note", "n1", R"({"v":1})", "alice"});
    const auto second = store.update("note", "n1", R"({"v":2})", 1);
    CHECK(second.version == 2);
    CHECK(second.owner == "alice");
    std::string message;
    CHECK(errorOf([&] { store.update("note", "n1", R"({"v":3})", 1); }, &message) == ErrorKind::conflict);
    CHECK(message.find("version 2, not the expected 1") != std::string::npos);
    CHECK(store.get("note", "n1")->body == R"({"v":2})");
    CHECK(errorOf([&] { store.update("note", "missing", "{}", 1); }) == ErrorKind::notFound);
  }

  SUBCASE("remove, with and without the expected version") {
    store.create({"note", "a", "{}", ""});
    store.create({"note", "b", "{}", ""});
    store.remove("note", "a", std::nullopt);
    CHECK_FALSE(store.get("note", "a").has_value());
    CHECK(errorOf([&] { store.remove("note", "a", std::nullopt); }) == ErrorKind::notFound);
    CHECK(errorOf([&] { store.remove("note", "b", 7); }) == ErrorKind::conflict);
    CHECK(store.get("note", "b").has_value());
    store.remove("note", "b", 1);
    CHECK_FALSE(store.get("note", "b").has_value());
  }

  SUBCASE("bad input is refused with a message naming it") {
    std::string message;
    CHECK(errorOf([&] { store.create({"note", "n1", "{not json", ""}); }, &message) == ErrorKind::invalid);
    CHECK(message == "document 'note/n1': the body is not valid JSON");
    CHECK(errorOf([&] { store.create({"note", "n1", "[1,2]", ""}); }, &message) == ErrorKind::invalid);
    CHECK(message == "document 'note/n1': the body must be a JSON object");
    CHECK(errorOf([&] { store.create({"note", "", "{}", ""}); }) == ErrorKind::invalid);
    CHECK(errorOf([&] { store.create({"", "x", "{}", ""}); }) == ErrorKind::invalid);
    store.create({"note", "ok", "{}", ""});
    CHECK(errorOf([&] { store.update("note", "ok", "7", 1); }) == ErrorKind::invalid);
    CHECK(store.get("note", "ok")->version == 1);
    CHECK(errorOf([&] { store.find({.type = "note", .filters = {Filter::eq("a-b", 1)}}); }, &message) ==
          ErrorKind::invalid);
    CHECK(message.find("'a-b'") != std::string::npos);
    CHECK(errorOf([&] { store.find({.type = "note", .sort = {{"x..y"}}}); }) == ErrorKind::invalid);
    CHECK(errorOf([&] { store.find({.type = "note", .filters = {Filter::lt("a", nullptr)}}); }) == ErrorKind::invalid);
  }

  SUBCASE("find: equality, ranges, in, null, nested fields, owner") {
    seedPlanets(store);
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("kind", "gas")}})) ==
          std::vector<std::string>{"jupiter", "saturn"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::ne("kind", "rock")}})) ==
          std::vector<std::string>{"jupiter", "saturn"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("rings", true)}})) ==
          std::vector<std::string>{"jupiter", "saturn"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::gt("order", std::int64_t{2}), Filter::lte("order", std::int64_t{4})}})) ==
          std::vector<std::string>{"earth", "mars"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::gte("order", std::int64_t{5})}})) ==
          std::vector<std::string>{"jupiter", "saturn"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::lt("mass", 100.0)}})) == std::vector<std::string>{"saturn"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::in("moons", {std::int64_t{0}, std::int64_t{2}})}})) ==
          std::vector<std::string>{"mars", "mercury", "venus"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::in("moons", {})}})).empty());
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("mass", nullptr)}})).size() == 4);
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::ne("mass", nullptr)}})) ==
          std::vector<std::string>{"jupiter", "saturn"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("life.known", true)}})) ==
          std::vector<std::string>{"earth"});
    CHECK(ids(store.find({.type = "planet", .owner = "alice"})) == std::vector<std::string>{"earth", "mars"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("order", std::int64_t{1})}})) ==
          std::vector<std::string>{"mercury"});  // not the moon of the same order: types are apart
    CHECK(store.find({.type = "planet"}).total == 6);
  }

  SUBCASE("find: sort and pagination") {
    seedPlanets(store);
    const FindQuery byMoons{.type = "planet", .sort = {{"moons", SortOrder::descending}}, .limit = 2};
    auto page = store.find(byMoons);
    CHECK(page.total == 6);
    CHECK(ids(page) == std::vector<std::string>{"saturn", "jupiter"});
    auto next = byMoons;
    next.offset = 2;
    CHECK(ids(store.find(next)) == std::vector<std::string>{"mars", "earth"});
    next.offset = 4;
    // Ties (0 moons) are ordered by id.
    CHECK(ids(store.find(next)) == std::vector<std::string>{"mercury", "venus"});
    next.offset = 6;
    page = store.find(next);
    CHECK(page.documents.empty());
    CHECK(page.total == 6);
    CHECK(ids(store.find({.type = "planet", .sort = {{"kind"}, {"order", SortOrder::descending}}, .limit = 3})) ==
          std::vector<std::string>{"saturn", "jupiter", "mars"});
  }

  SUBCASE("indexes: finds answer the same with them; declaring one again keeps it") {
    seedPlanets(store);
    const std::vector<FindQuery> queries{
        {.type = "planet", .filters = {Filter::eq("kind", "gas")}},
        {.type = "planet", .filters = {Filter::eq("kind", "rock"), Filter::gt("order", std::int64_t{1})},
         .sort = {{"order", SortOrder::descending}}},
        {.type = "planet", .filters = {Filter::in("kind", {std::string("gas"), std::string("ice")}),
                                       Filter::lte("moons", std::int64_t{100})}},
        {.type = "planet", .filters = {Filter::eq("mass", nullptr)}, .sort = {{"moons"}}, .offset = 1, .limit = 2},
        {.type = "planet", .filters = {Filter::eq("life.known", true)}},
        {.type = "planet", .sort = {{"kind"}, {"order", SortOrder::descending}}, .limit = 3},
        {.type = "planet", .filters = {Filter::eq("order", std::int64_t{1})}},
    };
    std::vector<std::vector<std::string>> before;
    for (const auto& query : queries) before.push_back(ids(store.find(query)));
    CHECK(store.ensureIndex("planet", {"kind", "order"}));
    CHECK(store.ensureIndex("planet", {"mass", "moons"}));
    CHECK(store.ensureIndex("planet", {"life.known"}));
    CHECK_FALSE(store.ensureIndex("planet", {"kind", "order"}));
    CHECK_FALSE(storeHolder->open()->ensureIndex("planet", {"kind", "order"}));  // another host, same store
    CHECK(store.ensureIndex("moon", {"kind", "order"}));                          // per type
    for (std::size_t i = 0; i < queries.size(); ++i) {
      CAPTURE(i);
      CHECK(ids(store.find(queries[i])) == before[i]);
    }
    // Writes keep the index current, including bodies without the indexed fields.
    store.create({"planet", "pluto", R"({"order":9,"kind":"rock"})", ""});
    store.create({"planet", "nameless", "{}", ""});
    store.update("planet", "mercury", R"({"order":1,"kind":"metal"})", 1);
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("kind", "rock")}, .sort = {{"order"}}})) ==
          std::vector<std::string>{"venus", "earth", "mars", "pluto"});
    CHECK(ids(store.find({.type = "planet", .filters = {Filter::eq("kind", "metal")}})) ==
          std::vector<std::string>{"mercury"});
    std::string message;
    CHECK(errorOf([&] { store.ensureIndex("planet", {"a'b"}); }, &message) == ErrorKind::invalid);
    CHECK(message.find("'a'b'") != std::string::npos);
    CHECK(errorOf([&] { store.ensureIndex("planet", {}); }) == ErrorKind::invalid);
  }

  SUBCASE("bulk: a result per item, failures do not undo the others") {
    store.create({"note", "existing", R"({"v":1})", ""});
    store.create({"note", "doomed", "{}", ""});
    const auto results = store.bulk({
        {BulkOperation::Kind::create, "note", "new", R"({"v":1})", "carol", std::nullopt},
        {BulkOperation::Kind::create, "note", "existing", R"({"v":9})", "", std::nullopt},
        {BulkOperation::Kind::update, "note", "existing", R"({"v":2})", "", 1},
        {BulkOperation::Kind::update, "note", "existing", R"({"v":3})", "", 1},
        {BulkOperation::Kind::update, "note", "ghost", "{}", "", 1},
        {BulkOperation::Kind::remove, "note", "doomed", "", "", std::nullopt},
        {BulkOperation::Kind::remove, "note", "ghost", "", "", std::nullopt},
        {BulkOperation::Kind::create, "note", "broken", "[]", "", std::nullopt},
        {BulkOperation::Kind::update, "note", "new", R"({"v":2})", "", std::nullopt},
    });
    REQUIRE(results.size() == 9);
    CHECK(results[0].ok());
    CHECK(results[0].document->owner == "carol");
    CHECK(results[1].error == ErrorKind::conflict);
    CHECK(results[2].ok());
    CHECK(results[2].document->version == 2);
    CHECK(results[3].error == ErrorKind::conflict);  // stale after item 2
    CHECK(results[4].error == ErrorKind::notFound);
    CHECK(results[5].ok());
    CHECK(results[6].error == ErrorKind::notFound);
    CHECK(results[7].error == ErrorKind::invalid);
    CHECK(results[8].error == ErrorKind::invalid);  // update without a version
    CHECK(results[7].message.find("note/broken") != std::string::npos);
    CHECK(store.get("note", "new")->body == R"({"v":1})");
    CHECK(store.get("note", "existing")->body == R"({"v":2})");
    CHECK_FALSE(store.get("note", "doomed").has_value());
    CHECK_FALSE(store.get("note", "broken").has_value());
    CHECK(store.bulk({}).empty());
  }

  SUBCASE("migrations: a new type is recorded, old documents are upgraded step by step") {
    const MigrationStep never = [](unsigned, const std::string&) -> std::string {
      FAIL("no migration expected");
      return {};
    };
    auto report = store.migrate("task", 1, never);
    CHECK(report.fromVersion == 0);
    CHECK(report.toVersion == 1);
    store.create({"task", "t1", R"({"interval":"10s"})", ""});
    store.create({"task", "t2", R"({"interval":"1m"})", ""});
    store.create({"other", "o1", R"({"interval":"5s"})", ""});
    std::vector<unsigned> steps;
    const MigrationStep step = [&steps](unsigned from, const std::string& body) {
      steps.push_back(from);
      // v1 -> v2 wraps the interval; v2 -> v3 adds a field.
      if (from == 1) return R"({"schedule":)" + body + "}";
      return body.substr(0, body.size() - 1) + R"(,"enabled":true})";
    };
    report = store.migrate("task", 3, step);
    CHECK(report.fromVersion == 1);
    CHECK(report.toVersion == 3);
    CHECK(report.documents == 2);
    CHECK(steps == std::vector<unsigned>{1, 2, 1, 2});
    CHECK(store.get("task", "t1")->body == R"({"schedule":{"interval":"10s"},"enabled":true})");
    CHECK(store.get("task", "t1")->version == 2);  // a migration is a write: readers see a new version
    CHECK(store.get("other", "o1")->body == R"({"interval":"5s"})");
    // Applied once: the same version again changes nothing.
    report = store.migrate("task", 3, never);
    CHECK(report.fromVersion == 3);
    CHECK(report.documents == 0);
    // Older code must not touch newer data.
    std::string message;
    CHECK(errorOf([&] { store.migrate("task", 2, never); }, &message) == ErrorKind::invalid);
    CHECK(message.find("newer") != std::string::npos);
  }

  SUBCASE("migrations: a failing step changes nothing") {
    store.migrate("task", 1, [](unsigned, const std::string& body) { return body; });
    store.create({"task", "a", R"({"n":1})", ""});
    store.create({"task", "b", R"({"n":2})", ""});
    const MigrationStep failing = [](unsigned, const std::string& body) -> std::string {
      if (body.find('2') != std::string::npos) throw StorageError(ErrorKind::invalid, "cannot migrate n=2");
      return R"({"n":0})";
    };
    CHECK(errorOf([&] { store.migrate("task", 2, failing); }) == ErrorKind::invalid);
    CHECK(store.get("task", "a")->body == R"({"n":1})");
    const MigrationStep badOutput = [](unsigned, const std::string&) { return std::string("[]"); };
    CHECK(errorOf([&] { store.migrate("task", 2, badOutput); }) == ErrorKind::invalid);
    CHECK(store.get("task", "a")->body == R"({"n":1})");
    // Still at version 1: a working migration applies.
    const auto report = store.migrate("task", 2, [](unsigned, const std::string&) { return std::string(R"({"n":0})"); });
    CHECK(report.fromVersion == 1);
    CHECK(report.documents == 2);
  }

  SUBCASE("two connections share one store, and a conditional update has one winner") {
    auto other = storeHolder->open();
    store.create({"lease", "l1", R"({"owner":null})", ""});
    CHECK(other->get("lease", "l1")->version == 1);
    other->update("lease", "l1", R"({"owner":"b"})", 1);
    CHECK(errorOf([&] { store.update("lease", "l1", R"({"owner":"a"})", 1); }) == ErrorKind::conflict);
    CHECK(store.get("lease", "l1")->body == R"({"owner":"b"})");

    // Many threads on both connections race for the same version: exactly one wins.
    store.create({"lease", "l2", R"({"owner":null})", ""});
    std::atomic<int> wins{0};
    std::atomic<int> conflicts{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        auto& connection = i % 2 == 0 ? store : *other;
        try {
          connection.update("lease", "l2", numbered(R"({"owner":")", i) + "\"}", 1);
          ++wins;
        } catch (const StorageError& e) {
          if (e.kind() == ErrorKind::conflict) ++conflicts;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(wins == 1);
    CHECK(conflicts == 7);
  }
}

}  // namespace orrery::test
