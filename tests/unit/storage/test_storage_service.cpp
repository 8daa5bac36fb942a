// The storage service as plugins use it: registration rules, calls that run on the
// blocking pool, and migrations applied once before start.
#include <doctest/doctest.h>

#include <thread>

#include "core/executors/executor_pool.hpp"
#include "core/executors/plugin_executors.hpp"
#include "core/storage/sqlite_backend.hpp"
#include "core/storage/storage_service.hpp"
#include "tests/support/run_on_pool.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace orrery::storage;
using orrery::test::runToEnd;

struct Fixture {
  orrery::test::TempDir dir;
  orrery::executors::ExecutorPool pool{1, 1, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  std::shared_ptr<SqliteBackend> backend = std::make_shared<SqliteBackend>(dir.path() / "store.db");
  StorageService service{backend};
  std::unique_ptr<Storage> storage = service.clientFor("tester", executors, nullptr);
};

template <class F>
std::string refusal(F&& call) {
  try {
    call();
  } catch (const StorageError& e) {
    return e.what();
  }
  FAIL("not refused");
  return {};
}

}  // namespace

TEST_CASE("storage service: documents of a registered type, written on the blocking pool") {
  Fixture f;
  f.storage->registerType({"note", 1, {}});
  f.service.applyMigrations();
  const auto created = runToEnd(f.storage->create({"note", "n1", R"({"a":1})", "me"}));
  CHECK(created.version == 1);
  const auto updated = runToEnd(f.storage->update("note", "n1", R"({"a":2})", 1));
  CHECK(updated.version == 2);
  const auto found = runToEnd(f.storage->find({.type = "note", .filters = {Filter::eq("a", std::int64_t{2})}}));
  CHECK(found.total == 1);
  const auto results = runToEnd(f.storage->bulk({{BulkOperation::Kind::create, "note", "n2", "{}", "", {}}}));
  CHECK(results.at(0).ok());
  runToEnd(f.storage->remove("note", "n1", 2));
  CHECK_FALSE(runToEnd(f.storage->get("note", "n1")).has_value());
  // Errors of the backend arrive at the co_await.
  CHECK_THROWS_AS(runToEnd(f.storage->create({"note", "n2", "{}", ""})), StorageError);
}

TEST_CASE("storage service: an unregistered type is refused, naming it") {
  Fixture f;
  f.service.applyMigrations();
  const auto message = refusal([&] { runToEnd(f.storage->create({"ghost", "g", "{}", ""})); });
  CHECK(message == "document type 'ghost' is not registered (register it in setup)");
  CHECK_THROWS_AS(runToEnd(f.storage->find({.type = "ghost"})), StorageError);
}

TEST_CASE("storage service: registration rules") {
  Fixture f;
  f.storage->registerType({"note", 1, {}});
  auto other = f.service.clientFor("other", f.executors, nullptr);
  CHECK(refusal([&] { other->registerType({"note", 1, {}}); }) ==
        "plugin 'other' registering type 'note': plugin 'tester' registered it already");
  CHECK(refusal([&] { other->registerType({"v3", 3, {{1, [](const std::string& b) { return b; }}}}); }) ==
        "plugin 'other' registering type 'v3': no migration from version 2 to 3");
  CHECK(refusal([&] { other->registerType({"zero", 0, {}}); }) ==
        "plugin 'other' registering type 'zero': versions start at 1");
  f.service.applyMigrations();
  CHECK(refusal([&] { other->registerType({"late", 1, {}}); }) ==
        "plugin 'other' registering type 'late': types are registered in setup only");
}

TEST_CASE("storage service: indexes are declared in setup and created once, before start") {
  orrery::test::TempDir dir;
  orrery::executors::ExecutorPool pool{1, 1, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  const auto file = dir.path() / "store.db";
  {
    StorageService service(std::make_shared<SqliteBackend>(file));
    auto storage = service.clientFor("p", executors, nullptr);
    CHECK(refusal([&] { storage->registerIndex("task", {"status"}); }) ==
          "plugin 'p' declaring an index on type 'task': the type is not registered");
    storage->registerType({"task", 1, {}});
    CHECK(refusal([&] { storage->registerIndex("task", {}); }) ==
          "plugin 'p' declaring an index on type 'task': it needs at least one field");
    CHECK(refusal([&] { storage->registerIndex("task", {"status", "run-at"}); }).find("'run-at'") != std::string::npos);
    storage->registerIndex("task", {"status", "runAt"});
    CHECK(service.applyMigrations() ==
          std::vector<std::string>{"type 'task' (plugin p) created at version 1",
                                   "index on type 'task' (status, runAt) created for plugin p"});
    CHECK(refusal([&] { storage->registerIndex("task", {"owner"}); }) ==
          "plugin 'p' declaring an index on type 'task': indexes are declared in setup only");
  }
  {
    // The next start declares the same index: it exists, nothing to report.
    StorageService service(std::make_shared<SqliteBackend>(file));
    auto storage = service.clientFor("p", executors, nullptr);
    storage->registerType({"task", 1, {}});
    storage->registerIndex("task", {"status", "runAt"});
    CHECK(service.applyMigrations().empty());
  }
}

TEST_CASE("storage service: migrations run once, on the next start with a newer version") {
  orrery::test::TempDir dir;
  orrery::executors::ExecutorPool pool{1, 1, nullptr};
  orrery::executors::PluginExecutors executors{pool, nullptr, nullptr};
  {
    StorageService service(std::make_shared<SqliteBackend>(dir.path() / "store.db"));
    auto storage = service.clientFor("p", executors, nullptr);
    storage->registerType({"task", 1, {}});
    CHECK(service.applyMigrations() == std::vector<std::string>{"type 'task' (plugin p) created at version 1"});
    runToEnd(storage->create({"task", "t", R"({"every":"10s"})", ""}));
  }
  {
    // The next version of the plugin: v2 renames `every` to `interval`.
    StorageService service(std::make_shared<SqliteBackend>(dir.path() / "store.db"));
    auto storage = service.clientFor("p", executors, nullptr);
    storage->registerType({"task", 2, {{1, [](const std::string& body) {
                                          auto renamed = body;
                                          renamed.replace(renamed.find("every"), 5, "interval");
                                          return renamed;
                                        }}}});
    CHECK(service.applyMigrations() ==
          std::vector<std::string>{"type 'task' (plugin p) migrated from version 1 to 2, 1 documents"});
    CHECK(runToEnd(storage->get("task", "t"))->body == R"({"interval":"10s"})");
  }
  {
    // A migration that throws names the type and the step; nothing is changed.
    StorageService service(std::make_shared<SqliteBackend>(dir.path() / "store.db"));
    auto storage = service.clientFor("p", executors, nullptr);
    storage->registerType({"task", 3, {{1, [](const std::string& b) { return b; }},
                                      {2, [](const std::string&) -> std::string { throw std::runtime_error("boom"); }}}});
    CHECK(refusal([&] { service.applyMigrations(); }) == "type 'task': the migration from version 2 threw: boom");
    CHECK(runToEnd(storage->get("task", "t"))->body == R"({"interval":"10s"})");
  }
}
