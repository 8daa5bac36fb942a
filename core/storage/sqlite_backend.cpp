#include "core/storage/sqlite_backend.hpp"

#include <string>

#include "core/storage/document_checks.hpp"
#include "core/storage/sqlite_connection.hpp"

namespace orrery::storage {

namespace {

using sqlite::Statement;

std::string name(const std::string& type, const std::string& id) {
  std::string text = "document '";
  text.append(type).append("/").append(id).append("'");
  return text;
}

// `json_extract(body, '$.a.b')` for the path `a.b`. The path is checked (names and dots
// only, so it needs no quoting) and written into the SQL rather than bound: SQLite uses
// an index on an expression only when the query spells the same expression.
std::string fieldExpression(const std::string& field) {
  checkFieldPath(field);
  std::string expression = "json_extract(body, '$.";
  expression.append(field).append("')");
  return expression;
}

// A stable name for the index over (type, fields): FNV-1a of both, so that declaring the
// same index again finds it, and different ones never share a name.
std::string indexName(const std::string& type, const std::vector<std::string>& fields) {
  std::uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](std::string_view text) {
    for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0xff) * 1099511628211ull;  // separator: ("ab","c") differs from ("a","bc")
  };
  mix(type);
  for (const auto& field : fields) mix(field);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "documents_by_fields_";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 15];
  return name;
}

const char* comparison(FilterOp op) {
  switch (op) {
    case FilterOp::eq: return " = ?";
    case FilterOp::ne: return " <> ?";
    case FilterOp::lt: return " < ?";
    case FilterOp::lte: return " <= ?";
    case FilterOp::gt: return " > ?";
    case FilterOp::gte: return " >= ?";
    case FilterOp::in: return "";
  }
  return " = ?";
}

Document readRow(const Statement& row) {
  return Document{row.text(0), row.text(1), row.text(2), static_cast<std::uint64_t>(row.integer(3)), row.text(4)};
}

}  // namespace

SqliteBackend::SqliteBackend(std::filesystem::path file) : file_(std::move(file)) {
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
  db_ = std::make_unique<sqlite::Connection>(file_);
  sqlite::WriteTransaction transaction(*db_);
  db_->execute(
      "CREATE TABLE IF NOT EXISTS documents ("
      " type TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,"
      " version INTEGER NOT NULL, owner TEXT NOT NULL DEFAULT '',"
      " PRIMARY KEY (type, id)) WITHOUT ROWID");
  db_->execute("CREATE INDEX IF NOT EXISTS documents_by_owner ON documents (type, owner)");
  db_->execute("CREATE TABLE IF NOT EXISTS document_types (type TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  transaction.commit();
}

SqliteBackend::~SqliteBackend() = default;

std::string SqliteBackend::describe() const { return "sqlite:" + file_.string(); }

MigrationReport SqliteBackend::migrate(const std::string& type, unsigned currentVersion, const MigrationStep& step) {
  if (type.empty()) throw StorageError(ErrorKind::invalid, "a document type must not be empty");
  if (currentVersion == 0) throw StorageError(ErrorKind::invalid, "type '" + type + "': versions start at 1");
  std::lock_guard lock(mutex_);
  sqlite::WriteTransaction transaction(*db_);
  MigrationReport report;
  report.toVersion = currentVersion;
  {
    Statement read(*db_, "SELECT version FROM document_types WHERE type = ?");
    read.bind(1, type);
    if (read.step()) report.fromVersion = static_cast<unsigned>(read.integer(0));
  }
  if (report.fromVersion > currentVersion) {
    throw StorageError(ErrorKind::invalid, "type '" + type + "': the store holds schema version " +
                                               std::to_string(report.fromVersion) + ", newer than this code's " +
                                               std::to_string(currentVersion));
  }
  if (report.fromVersion != 0 && report.fromVersion < currentVersion) {
    // Read everything first: rewriting rows while a statement scans the same table may
    // visit a row again.
    std::vector<std::pair<std::string, std::string>> rows;
    {
      Statement all(*db_, "SELECT id, body FROM documents WHERE type = ?");
      all.bind(1, type);
      while (all.step()) rows.emplace_back(all.text(0), all.text(1));
    }
    Statement write(*db_, "UPDATE documents SET body = ?, version = version + 1 WHERE type = ? AND id = ?");
    for (auto& [id, body] : rows) {
      for (unsigned version = report.fromVersion; version < currentVersion; ++version) {
        body = step(version, body);
        checkBody(type, id, body);
      }
      write.reset();
      write.bind(1, body);
      write.bind(2, type);
      write.bind(3, id);
      write.step();
      ++report.documents;
    }
  }
  if (report.fromVersion != currentVersion) {
    Statement record(*db_,
                     "INSERT INTO document_types (type, version) VALUES (?, ?)"
                     " ON CONFLICT (type) DO UPDATE SET version = excluded.version");
    record.bind(1, type);
    record.bind(2, std::int64_t{currentVersion});
    record.step();
  }
  transaction.commit();
  return report;
}

Document SqliteBackend::create(const NewDocument& document) {
  std::lock_guard lock(mutex_);
  return createLocked(document);
}

Document SqliteBackend::createLocked(const NewDocument& document) {
  checkKey(document.type, document.id);
  checkBody(document.type, document.id, document.body);
  Statement insert(*db_,
                   "INSERT INTO documents (type, id, body, version, owner) VALUES (?, ?, ?, 1, ?)"
                   " ON CONFLICT DO NOTHING");
  insert.bind(1, document.type);
  insert.bind(2, document.id);
  insert.bind(3, document.body);
  insert.bind(4, document.owner);
  insert.step();
  if (db_->changes() == 0) {
    throw StorageError(ErrorKind::conflict, name(document.type, document.id) + " already exists");
  }
  return Document{document.type, document.id, document.body, 1, document.owner};
}

std::optional<Document> SqliteBackend::get(const std::string& type, const std::string& id) {
  std::lock_guard lock(mutex_);
  return getLocked(type, id);
}

std::optional<Document> SqliteBackend::getLocked(const std::string& type, const std::string& id) {
  Statement read(*db_, "SELECT type, id, body, version, owner FROM documents WHERE type = ? AND id = ?");
  read.bind(1, type);
  read.bind(2, id);
  if (!read.step()) return std::nullopt;
  return readRow(read);
}

Document SqliteBackend::update(const std::string& type, const std::string& id, const std::string& body,
                               std::uint64_t expectedVersion) {
  std::lock_guard lock(mutex_);
  return updateLocked(type, id, body, expectedVersion);
}

Document SqliteBackend::updateLocked(const std::string& type, const std::string& id, const std::string& body,
                                     std::uint64_t expectedVersion) {
  checkKey(type, id);
  checkBody(type, id, body);
  // The version check and the write are one statement: atomic against every writer.
  Statement write(*db_,
                  "UPDATE documents SET body = ?, version = version + 1"
                  " WHERE type = ? AND id = ? AND version = ? RETURNING version, owner");
  write.bind(1, body);
  write.bind(2, type);
  write.bind(3, id);
  write.bind(4, static_cast<std::int64_t>(expectedVersion));
  if (!write.step()) failMissingOrStale(type, id, expectedVersion);
  Document document{type, id, body, static_cast<std::uint64_t>(write.integer(0)), write.text(1)};
  while (write.step()) {
  }
  return document;
}

void SqliteBackend::remove(const std::string& type, const std::string& id, std::optional<std::uint64_t> expectedVersion) {
  std::lock_guard lock(mutex_);
  removeLocked(type, id, expectedVersion);
}

void SqliteBackend::removeLocked(const std::string& type, const std::string& id,
                                 std::optional<std::uint64_t> expectedVersion) {
  checkKey(type, id);
  Statement erase(*db_, expectedVersion ? "DELETE FROM documents WHERE type = ? AND id = ? AND version = ?"
                                        : "DELETE FROM documents WHERE type = ? AND id = ?");
  erase.bind(1, type);
  erase.bind(2, id);
  if (expectedVersion) erase.bind(3, static_cast<std::int64_t>(*expectedVersion));
  erase.step();
  if (db_->changes() == 0) failMissingOrStale(type, id, expectedVersion.value_or(0));
}

void SqliteBackend::failMissingOrStale(const std::string& type, const std::string& id, std::uint64_t expected) {
  const auto current = getLocked(type, id);
  if (!current) throw StorageError(ErrorKind::notFound, name(type, id) + " does not exist");
  throw StorageError(ErrorKind::conflict, name(type, id) + " is at version " + std::to_string(current->version) +
                                              ", not the expected " + std::to_string(expected));
}

bool SqliteBackend::ensureIndex(const std::string& type, const std::vector<std::string>& fields) {
  if (type.empty()) throw StorageError(ErrorKind::invalid, "an index needs a document type");
  if (fields.empty()) throw StorageError(ErrorKind::invalid, "an index on type '" + type + "' needs at least one field");
  // The type column first: every find names it. The table's key (type, id) ends every
  // index entry, so a sort on the last field, then id, needs no extra sorting step.
  std::string columns = "type";
  for (const auto& field : fields) columns.append(", ").append(fieldExpression(field));
  const auto name = indexName(type, fields);
  std::lock_guard lock(mutex_);
  sqlite::WriteTransaction transaction(*db_);
  bool exists = false;
  {
    Statement check(*db_, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?");
    check.bind(1, name);
    exists = check.step();
  }
  if (!exists) db_->execute("CREATE INDEX " + name + " ON documents (" + columns + ")");
  transaction.commit();
  return !exists;
}

SqliteBackend::FindSql SqliteBackend::findSql(const FindQuery& query) {
  if (query.type.empty()) throw StorageError(ErrorKind::invalid, "find: a document type must not be empty");
  // Built from fixed fragments and checked paths; every value is a bound parameter.
  FindSql sql{" FROM documents WHERE type = ?", {query.type}};
  auto& where = sql.where;
  auto& parameters = sql.parameters;
  if (query.owner) {
    where += " AND owner = ?";
    parameters.emplace_back(*query.owner);
  }
  for (const auto& filter : query.filters) {
    const std::string field = fieldExpression(filter.field);
    if (filter.op == FilterOp::in) {
      if (filter.values.empty()) {
        where += " AND 0";
        continue;
      }
      where.append(" AND ").append(field).append(" IN (");
      for (std::size_t i = 0; i < filter.values.size(); ++i) {
        where += i == 0 ? "?" : ", ?";
        parameters.push_back(filter.values[i]);
      }
      where += ")";
      continue;
    }
    if (filter.values.size() != 1) {
      throw StorageError(ErrorKind::invalid, "filter on '" + filter.field + "' needs exactly one value");
    }
    if (std::holds_alternative<std::nullptr_t>(filter.values[0])) {
      if (filter.op != FilterOp::eq && filter.op != FilterOp::ne) {
        throw StorageError(ErrorKind::invalid, "filter on '" + filter.field + "': null can only be compared with eq or ne");
      }
      where.append(" AND ").append(field).append(filter.op == FilterOp::eq ? " IS NULL" : " IS NOT NULL");
      continue;
    }
    where.append(" AND ").append(field).append(comparison(filter.op));
    parameters.push_back(filter.values[0]);
  }
  return sql;
}

std::string SqliteBackend::selectSql(const FindQuery& query, const std::string& where) {
  std::string sql = "SELECT type, id, body, version, owner" + where + " ORDER BY ";
  for (const auto& sort : query.sort) {
    sql.append(fieldExpression(sort.field)).append(sort.order == SortOrder::descending ? " DESC, " : " ASC, ");
  }
  sql += "id ASC LIMIT ? OFFSET ?";
  return sql;
}

FindResult SqliteBackend::find(const FindQuery& query) {
  const auto [where, parameters] = findSql(query);
  const auto sql = selectSql(query, where);
  std::lock_guard lock(mutex_);
  FindResult result;
  {
    Statement count(*db_, "SELECT COUNT(*)" + where);
    for (std::size_t i = 0; i < parameters.size(); ++i) count.bindValue(static_cast<int>(i + 1), parameters[i]);
    if (count.step()) result.total = static_cast<std::size_t>(count.integer(0));
  }
  if (query.limit == 0 || query.offset >= result.total) return result;

  Statement select(*db_, sql);
  int index = 1;
  for (const auto& parameter : parameters) select.bindValue(index++, parameter);
  select.bindValue(index++, static_cast<std::int64_t>(query.limit));
  select.bindValue(index, static_cast<std::int64_t>(query.offset));
  while (select.step()) result.documents.push_back(readRow(select));
  return result;
}

std::string SqliteBackend::queryPlan(const FindQuery& query) {
  const auto [where, parameters] = findSql(query);
  std::lock_guard lock(mutex_);
  Statement explain(*db_, "EXPLAIN QUERY PLAN " + selectSql(query, where));
  int index = 1;
  for (const auto& parameter : parameters) explain.bindValue(index++, parameter);
  explain.bindValue(index++, static_cast<std::int64_t>(query.limit));
  explain.bindValue(index, static_cast<std::int64_t>(query.offset));
  std::string plan;
  while (explain.step()) plan.append(explain.text(3)).append("\n");
  return plan;
}

std::vector<BulkItemResult> SqliteBackend::bulk(const std::vector<BulkOperation>& operations) {
  std::vector<BulkItemResult> results(operations.size());
  if (operations.empty()) return results;
  std::lock_guard lock(mutex_);
  // One transaction (one fsync) for the batch; an item's failure is its own result.
  sqlite::WriteTransaction transaction(*db_);
  for (std::size_t i = 0; i < operations.size(); ++i) {
    const auto& op = operations[i];
    auto& result = results[i];
    try {
      switch (op.kind) {
        case BulkOperation::Kind::create:
          result.document = createLocked(NewDocument{op.type, op.id, op.body, op.owner});
          break;
        case BulkOperation::Kind::update:
          if (!op.expectedVersion) {
            throw StorageError(ErrorKind::invalid, name(op.type, op.id) + ": an update needs the expected version");
          }
          result.document = updateLocked(op.type, op.id, op.body, *op.expectedVersion);
          break;
        case BulkOperation::Kind::remove:
          removeLocked(op.type, op.id, op.expectedVersion);
          break;
      }
    } catch (const StorageError& e) {
      if (e.kind() == ErrorKind::failed) throw;  // the store itself failed: the batch is rolled back
      result.error = e.kind();
      result.message = e.what();
    }
  }
  transaction.commit();
  return results;
}

}  // namespace orrery::storage
