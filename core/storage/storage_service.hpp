// The core storage service: one backend per host, the registry of document types and
// their migrations, and the per-plugin `orrery::storage::Storage` objects that run every
// call on the blocking pool (never on an I/O thread).
//
// Life cycle: plugins register types and indexes during setup; the host then calls
// applyMigrations() once, before any plugin starts, which also creates the declared
// indexes, and from then on registration is closed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/storage/storage_backend.hpp"
#include "orrery/executors.hpp"
#include "orrery/storage.hpp"

namespace orrery::storage {

class StorageService {
 public:
  explicit StorageService(std::shared_ptr<StorageBackend> backend);

  StorageBackend& backend() { return *backend_; }

  // The Storage a plugin sees; its calls run on `executors` (the plugin's, so they count
  // as the plugin's work at stop). `library` is kept alive with the migration functions
  // the plugin registers.
  std::unique_ptr<Storage> clientFor(std::string pluginId, Executors& executors, std::shared_ptr<void> library);

  // Throws StorageError(invalid) for a duplicate name, a bad version, a missing step, or
  // registration after applyMigrations().
  void registerType(const std::string& pluginId, TypeDefinition type, std::shared_ptr<void> library);
  // Throws StorageError(invalid) for an unregistered type, no fields, a bad field path, or
  // registration after applyMigrations().
  void registerIndex(const std::string& pluginId, std::string type, std::vector<std::string> fields);
  // Brings every registered type to its version and creates the declared indexes that do
  // not exist yet; returns one line per type or index that changed.
  // Throws StorageError naming the type if a migration fails (nothing of it is written).
  std::vector<std::string> applyMigrations();
  // Throws StorageError(invalid) unless `type` is registered.
  void checkRegistered(const std::string& type) const;

 private:
  struct Registered {
    std::string pluginId;
    TypeDefinition definition;
    std::shared_ptr<void> library;  // the plugin's code stays loaded with its migrations
  };

  std::shared_ptr<StorageBackend> backend_;
  mutable std::mutex mutex_;
  std::map<std::string, Registered> types_;
  struct DeclaredIndex {
    std::string pluginId;
    std::string type;
    std::vector<std::string> fields;
  };
  std::vector<DeclaredIndex> indexes_;
  bool sealed_ = false;
};

}  // namespace orrery::storage
