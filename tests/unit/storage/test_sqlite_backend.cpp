// The storage contract run against the embedded SQLite backend, plus what is SQLite's
// own: the file's place, WAL mode and durability settings.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include "core/storage/sqlite_backend.hpp"
#include "storage_contract.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using orrery::storage::SqliteBackend;

class SqliteStore final : public orrery::test::ContractStore {
 public:
  std::unique_ptr<orrery::storage::StorageBackend> open() override {
    return std::make_unique<SqliteBackend>(dir_.path() / "storage" / "orrery.db");
  }

 private:
  orrery::test::TempDir dir_;
};

std::string pragma(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  std::string value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE("storage contract: sqlite") {
  orrery::test::runStorageContract([] { return std::make_unique<SqliteStore>(); });
}

TEST_CASE("sqlite backend: creates its folder and opens the file in WAL mode") {
  orrery::test::TempDir dir;
  const auto file = dir.path() / "a" / "b" / "store.db";
  SqliteBackend backend(file);
  CHECK(std::filesystem::exists(file));
  CHECK(backend.describe() == "sqlite:" + file.string());
  // journal_mode is persistent in the file; another connection sees it.
  CHECK(pragma(file, "PRAGMA journal_mode") == "wal");
}

TEST_CASE("sqlite backend: a file that is not a database is a clear error") {
  orrery::test::TempDir dir;
  const auto file = dir.write("junk.db", std::string(4096, 'x'));
  try {
    SqliteBackend backend(file);
    FAIL("opened a file that is not a database");
  } catch (const orrery::storage::StorageError& e) {
    CHECK(e.kind() == orrery::storage::ErrorKind::failed);
    CHECK(std::string(e.what()).find("not a database") != std::string::npos);
  }
}

TEST_CASE("sqlite backend: a find on declared index fields reads the index, not every document") {
  using orrery::storage::Filter;
  orrery::test::TempDir dir;
  SqliteBackend backend(dir.path() / "store.db");
  // The task manager's claim: equality on two fields, a range on the third, sorted by it.
  const orrery::storage::FindQuery claim{
      .type = "task",
      .filters = {Filter::eq("status", "idle"), Filter::eq("enabled", true), Filter::lte("runAt", std::int64_t{100})},
      .sort = {{"runAt"}},
      .limit = 10};
  const auto before = backend.queryPlan(claim);
  CHECK(before.find("documents_by_fields_") == std::string::npos);
  REQUIRE(backend.ensureIndex("task", {"status", "enabled", "runAt"}));
  const auto plan = backend.queryPlan(claim);
  CAPTURE(plan);
  CHECK(plan.find("USING INDEX documents_by_fields_") != std::string::npos);
  // The index's order serves the sort: no temporary b-tree.
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);
  // A find on a field the index does not start with cannot use it.
  const auto other = backend.queryPlan({.type = "task", .filters = {Filter::eq("runAt", std::int64_t{1})}});
  CHECK(other.find("documents_by_fields_") == std::string::npos);
}
