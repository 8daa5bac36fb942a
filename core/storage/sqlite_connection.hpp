// A thin RAII layer over the SQLite C API: one connection, prepared statements that bind
// and step, and errors turned into StorageError with SQLite's own message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "orrery/storage.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace orrery::storage::sqlite {

class Connection;

class Statement {
 public:
  Statement(Connection& connection, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);
  void bind(int index, double value);
  void bindNull(int index);
  void bindValue(int index, const FieldValue& value);

  // True while a row is available.
  bool step();
  void reset();

  std::string text(int column) const;
  std::int64_t integer(int column) const;

 private:
  Connection& connection_;
  sqlite3_stmt* statement_ = nullptr;
};

class Connection {
 public:
  // Opens (creating) the file in WAL mode with synchronous=FULL and a busy timeout.
  explicit Connection(const std::filesystem::path& file);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void execute(std::string_view sql);
  // Rows changed by the last statement.
  int changes() const;
  sqlite3* handle() { return db_; }
  // Throws StorageError(failed) with `what` and SQLite's message.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (takes the write lock at once, so a conditional write
// never upgrades a read lock and deadlocks against another process); ROLLBACK unless
// commit() was called.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& connection);
  ~WriteTransaction();
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace orrery::storage::sqlite
