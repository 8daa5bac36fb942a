#include "core/storage/sqlite_connection.hpp"

#include <sqlite3.h>

#include <type_traits>

namespace orrery::storage::sqlite {

Statement::Statement(Connection& connection, std::string_view sql) : connection_(connection) {
  if (sqlite3_prepare_v2(connection.handle(), sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) !=
      SQLITE_OK) {
    connection.fail("cannot prepare a statement");
  }
}

Statement::~Statement() { sqlite3_finalize(statement_); }

void Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void Statement::bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }
void Statement::bind(int index, double value) { sqlite3_bind_double(statement_, index, value); }
void Statement::bindNull(int index) { sqlite3_bind_null(statement_, index); }

void Statement::bindValue(int index, const FieldValue& value) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::nullptr_t>) {
          bindNull(index);
        } else if constexpr (std::is_same_v<V, bool>) {
          bind(index, std::int64_t{v ? 1 : 0});
        } else if constexpr (std::is_same_v<V, std::string>) {
          bind(index, std::string_view(v));
        } else {
          bind(index, v);
        }
      },
      value);
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  connection_.fail("a statement failed");
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))) : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

Connection::Connection(const std::filesystem::path& file) {
  // NOMUTEX: the backend serialises use of the connection itself.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(ErrorKind::failed, "cannot open " + file.string() + ": " + message);
  }
  // Another host may hold the write lock for a moment (two hosts on one file).
  sqlite3_busy_timeout(db_, 10000);
  // WAL: readers never block the writer, and it works across processes on one machine.
  // synchronous=FULL: the WAL is fsynced at every commit, so an acknowledged write
  // survives a killed process and a power cut alike (NORMAL would survive only the first).
  try {
    execute("PRAGMA journal_mode=WAL");
    execute("PRAGMA synchronous=FULL");
  } catch (const StorageError& e) {
    // A constructor that throws runs no destructor: close here (e.g. not a database).
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(ErrorKind::failed, "cannot open " + file.string() + ": " + e.what());
  }
}

Connection::~Connection() { sqlite3_close(db_); }

void Connection::execute(std::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = "'" + text + "' failed: ";
    message.append(error ? error : sqlite3_errmsg(db_));
    sqlite3_free(error);
    throw StorageError(ErrorKind::failed, "sqlite: " + message);
  }
}

int Connection::changes() const { return sqlite3_changes(db_); }

void Connection::fail(std::string_view what) const {
  std::string message = "sqlite: ";
  message.append(what).append(": ").append(sqlite3_errmsg(db_));
  throw StorageError(ErrorKind::failed, message);
}

WriteTransaction::WriteTransaction(Connection& connection) : connection_(connection) {
  connection_.execute("BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
  if (!done_) {
    try {
      connection_.execute("ROLLBACK");
    } catch (...) {
      // Already rolled back by SQLite (e.g. after SQLITE_FULL); nothing left to undo.
    }
  }
}

void WriteTransaction::commit() {
  connection_.execute("COMMIT");
  done_ = true;
}

}  // namespace orrery::storage::sqlite
