#include "core/storage/storage_service.hpp"

#include <utility>

#include "core/storage/document_checks.hpp"

namespace orrery::storage {

namespace {

// One plugin's handle on the service. Each call checks its input on the calling thread
// and runs the backend on the storage pool (a full queue throws RejectedExecution).
class PluginStorage final : public Storage {
 public:
  PluginStorage(StorageService& service, std::shared_ptr<StorageBackend> backend, std::string pluginId,
                Executors& executors, std::shared_ptr<void> library)
      : service_(service),
        backend_(std::move(backend)),
        pluginId_(std::move(pluginId)),
        executors_(executors),
        library_(std::move(library)) {}

  void registerType(TypeDefinition type) override { service_.registerType(pluginId_, std::move(type), library_); }
  void registerIndex(std::string type, std::vector<std::string> fields) override {
    service_.registerIndex(pluginId_, std::move(type), std::move(fields));
  }

  Task<Document> create(NewDocument document) override {
    service_.checkRegistered(document.type);
    auto work = [backend = backend_, document = std::move(document)] { return backend->create(document); };
    co_return co_await executors_.blocking(std::move(work), Pool::storage);
  }

  Task<std::optional<Document>> get(std::string type, std::string id) override {
    service_.checkRegistered(type);
    auto work = [backend = backend_, type = std::move(type), id = std::move(id)] { return backend->get(type, id); };
    co_return co_await executors_.blocking(std::move(work), Pool::storage);
  }

  Task<Document> update(std::string type, std::string id, std::string body, std::uint64_t expectedVersion) override {
    service_.checkRegistered(type);
    auto work = [backend = backend_, type = std::move(type), id = std::move(id), body = std::move(body),
                 expectedVersion] { return backend->update(type, id, body, expectedVersion); };
    co_return co_await executors_.blocking(std::move(work), Pool::storage);
  }

  Task<void> remove(std::string type, std::string id, std::optional<std::uint64_t> expectedVersion) override {
    service_.checkRegistered(type);
    auto work = [backend = backend_, type = std::move(type), id = std::move(id), expectedVersion] {
      backend->remove(type, id, expectedVersion);
    };
    co_await executors_.blocking(std::move(work), Pool::storage);
  }

  Task<FindResult> find(FindQuery query) override {
    service_.checkRegistered(query.type);
    auto work = [backend = backend_, query = std::move(query)] { return backend->find(query); };
    co_return co_await executors_.blocking(std::move(work), Pool::storage);
  }

  Task<std::vector<BulkItemResult>> bulk(std::vector<BulkOperation> operations) override {
    for (const auto& op : operations) service_.checkRegistered(op.type);
    auto work = [backend = backend_, operations = std::move(operations)] { return backend->bulk(operations); };
    co_return co_await executors_.blocking(std::move(work), Pool::storage);
  }

 private:
  StorageService& service_;
  std::shared_ptr<StorageBackend> backend_;
  std::string pluginId_;
  Executors& executors_;
  std::shared_ptr<void> library_;
};

}  // namespace

StorageService::StorageService(std::shared_ptr<StorageBackend> backend) : backend_(std::move(backend)) {}

std::unique_ptr<Storage> StorageService::clientFor(std::string pluginId, Executors& executors,
                                                   std::shared_ptr<void> library) {
  return std::make_unique<PluginStorage>(*this, backend_, std::move(pluginId), executors, std::move(library));
}

void StorageService::registerType(const std::string& pluginId, TypeDefinition type, std::shared_ptr<void> library) {
  const std::string who = "plugin '" + pluginId + "' registering type '" + type.name + "'";
  if (type.name.empty()) throw StorageError(ErrorKind::invalid, "plugin '" + pluginId + "' registered a type without a name");
  if (type.version == 0) throw StorageError(ErrorKind::invalid, who + ": versions start at 1");
  for (unsigned step = 1; step < type.version; ++step) {
    const auto found = type.migrations.find(step);
    if (found == type.migrations.end() || !found->second) {
      throw StorageError(ErrorKind::invalid, who + ": no migration from version " + std::to_string(step) + " to " +
                                                 std::to_string(step + 1));
    }
  }
  std::lock_guard lock(mutex_);
  if (sealed_) throw StorageError(ErrorKind::invalid, who + ": types are registered in setup only");
  const auto existing = types_.find(type.name);
  if (existing != types_.end()) {
    throw StorageError(ErrorKind::invalid, who + ": plugin '" + existing->second.pluginId + "' registered it already");
  }
  const std::string name = type.name;
  types_.emplace(name, Registered{pluginId, std::move(type), std::move(library)});
}

void StorageService::registerIndex(const std::string& pluginId, std::string type, std::vector<std::string> fields) {
  std::string who = "plugin '" + pluginId + "' declaring an index on type '" + type + "'";
  if (fields.empty()) throw StorageError(ErrorKind::invalid, who + ": it needs at least one field");
  for (const auto& field : fields) {
    try {
      checkFieldPath(field);
    } catch (const StorageError& e) {
      throw StorageError(ErrorKind::invalid, who + ": " + e.what());
    }
  }
  std::lock_guard lock(mutex_);
  if (sealed_) throw StorageError(ErrorKind::invalid, who + ": indexes are declared in setup only");
  if (types_.count(type) == 0) throw StorageError(ErrorKind::invalid, who + ": the type is not registered");
  indexes_.push_back({pluginId, std::move(type), std::move(fields)});
}

std::vector<std::string> StorageService::applyMigrations() {
  std::vector<std::string> lines;
  std::lock_guard lock(mutex_);
  sealed_ = true;
  for (const auto& [name, registered] : types_) {
    const auto& definition = registered.definition;
    const MigrationStep step = [&definition, &name](unsigned from, const std::string& body) {
      try {
        return definition.migrations.at(from)(body);
      } catch (const StorageError&) {
        throw;
      } catch (const std::exception& e) {
        throw StorageError(ErrorKind::invalid, "type '" + name + "': the migration from version " +
                                                   std::to_string(from) + " threw: " + e.what());
      }
    };
    const auto report = backend_->migrate(name, definition.version, step);
    if (report.fromVersion == report.toVersion) continue;
    if (report.fromVersion == 0) {
      lines.push_back("type '" + name + "' (plugin " + registered.pluginId + ") created at version " +
                      std::to_string(report.toVersion));
    } else {
      lines.push_back("type '" + name + "' (plugin " + registered.pluginId + ") migrated from version " +
                      std::to_string(report.fromVersion) + " to " + std::to_string(report.toVersion) + ", " +
                      std::to_string(report.documents) + " documents");
    }
  }
  for (const auto& index : indexes_) {
    if (!backend_->ensureIndex(index.type, index.fields)) continue;
    std::string fields;
    for (const auto& field : index.fields) fields.append(fields.empty() ? "" : ", ").append(field);
    lines.push_back("index on type '" + index.type + "' (" + fields + ") created for plugin " + index.pluginId);
  }
  return lines;
}

void StorageService::checkRegistered(const std::string& type) const {
  std::lock_guard lock(mutex_);
  if (types_.count(type) == 0) {
    throw StorageError(ErrorKind::invalid, "document type '" + type + "' is not registered (register it in setup)");
  }
}

}  // namespace orrery::storage
