// The embedded storage backend: one SQLite file (WAL, synchronous=FULL) opened once per
// host. Several processes may open the same file; conditional writes run in IMMEDIATE
// transactions, so they are atomic across all of them.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "core/storage/storage_backend.hpp"

namespace orrery::storage {

namespace sqlite {
class Connection;
}

class SqliteBackend final : public StorageBackend {
 public:
  // Creates the file and its tables if needed. Throws StorageError(failed).
  explicit SqliteBackend(std::filesystem::path file);
  ~SqliteBackend() override;

  std::string describe() const override;
  MigrationReport migrate(const std::string& type, unsigned currentVersion, const MigrationStep& step) override;
  bool ensureIndex(const std::string& type, const std::vector<std::string>& fields) override;
  Document create(const NewDocument& document) override;
  std::optional<Document> get(const std::string& type, const std::string& id) override;
  Document update(const std::string& type, const std::string& id, const std::string& body,
                  std::uint64_t expectedVersion) override;
  void remove(const std::string& type, const std::string& id, std::optional<std::uint64_t> expectedVersion) override;
  FindResult find(const FindQuery& query) override;
  std::vector<BulkItemResult> bulk(const std::vector<BulkOperation>& operations) override;

  // How SQLite would run find(query) (EXPLAIN QUERY PLAN, one step per line), to check
  // that a declared index is used.
  std::string queryPlan(const FindQuery& query);

 private:
  // The unlocked operations, shared by the single calls and bulk.
  Document createLocked(const NewDocument& document);
  Document updateLocked(const std::string& type, const std::string& id, const std::string& body,
                        std::uint64_t expectedVersion);
  void removeLocked(const std::string& type, const std::string& id, std::optional<std::uint64_t> expectedVersion);
  std::optional<Document> getLocked(const std::string& type, const std::string& id);
  // After a conditional write changed nothing: not found, or conflict with the version.
  // The WHERE clause of find() and its bound values.
  struct FindSql {
    std::string where;
    std::vector<FieldValue> parameters;
  };
  static FindSql findSql(const FindQuery& query);
  static std::string selectSql(const FindQuery& query, const std::string& where);
  [[noreturn]] void failMissingOrStale(const std::string& type, const std::string& id, std::uint64_t expected);

  std::filesystem::path file_;
  std::mutex mutex_;  // one connection, used by one thread at a time
  std::unique_ptr<sqlite::Connection> db_;
};

}  // namespace orrery::storage
