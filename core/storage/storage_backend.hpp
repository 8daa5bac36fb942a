// The interface every storage backend implements: the embedded SQLite one today, a
// PostgreSQL one (several hosts sharing state) later. Calls are synchronous and may block;
// the storage service runs them on the blocking pool only. A backend is safe to call from
// several threads at once, and its conditional writes are atomic against every other
// writer of the same store, in this process or another.
//
// Every backend must pass the contract suite in tests/unit/storage/storage_contract.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "orrery/storage.hpp"

namespace orrery::storage {

// Upgrades one stored body from `fromVersion` to `fromVersion + 1`.
using MigrationStep = std::function<std::string(unsigned fromVersion, const std::string& body)>;

struct MigrationReport {
  unsigned fromVersion = 0;  // 0: the type was new to this store
  unsigned toVersion = 0;
  std::size_t documents = 0;  // documents rewritten
};

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;

  // A short name for logs ("sqlite:/path/to/file").
  virtual std::string describe() const = 0;

  // Brings every stored document of `type` to `currentVersion`, step by step, in one
  // transaction, and records the version. A type new to the store is recorded as is.
  // Throws StorageError(invalid) if the store holds a newer version than `currentVersion`
  // (data written by newer code); a throwing step rolls everything back.
  virtual MigrationReport migrate(const std::string& type, unsigned currentVersion, const MigrationStep& step) = 0;

  // Creates, if it does not exist yet, an index over these body fields of `type` (paths
  // checked like filter fields) that find() uses for filters and sorts on them. Returns
  // true when it was created now. Throws StorageError(invalid) for a bad path.
  virtual bool ensureIndex(const std::string& type, const std::vector<std::string>& fields) = 0;

  virtual Document create(const NewDocument& document) = 0;
  virtual std::optional<Document> get(const std::string& type, const std::string& id) = 0;
  virtual Document update(const std::string& type, const std::string& id, const std::string& body,
                          std::uint64_t expectedVersion) = 0;
  virtual void remove(const std::string& type, const std::string& id, std::optional<std::uint64_t> expectedVersion) = 0;
  virtual FindResult find(const FindQuery& query) = 0;
  // One result per item; items are independent, but the batch is written at once.
  virtual std::vector<BulkItemResult> bulk(const std::vector<BulkOperation>& operations) = 0;
};

}  // namespace orrery::storage
