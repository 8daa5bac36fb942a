// The contract every storage backend must pass: each operation, conflicts, filters,
// pagination, bulk partial failure, migrations and two connections on one store.
// A backend's test calls runStorageContract with a factory of empty stores; a PostgreSQL
// backend will run the same function with its own factory.
#pragma once

#include <functional>
#include <memory>

#include "core/storage/storage_backend.hpp"

namespace orrery::test {

// One empty store (a file, a database schema); open() gives another connection to it,
// as a second host would have.
class ContractStore {
 public:
  virtual ~ContractStore() = default;
  virtual std::unique_ptr<storage::StorageBackend> open() = 0;
};

using ContractStoreFactory = std::function<std::unique_ptr<ContractStore>()>;

// Call inside a doctest TEST_CASE: every part is a SUBCASE with a fresh store.
void runStorageContract(const ContractStoreFactory& makeStore);

}  // namespace orrery::test
