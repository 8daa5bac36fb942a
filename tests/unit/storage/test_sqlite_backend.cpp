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
