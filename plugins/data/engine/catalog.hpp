// The engine's catalog: which index name owns which folder. Index folders are named by
// the index's uuid (`<root>/<uuid>/shard-N.sqlite`), never by the name a client sent, so
// no name can reach a path; this file, `<root>/catalog.sqlite`, is the name → uuid map.
//
// Why a SQLite catalog rather than the names kept in each index's shard files: a change
// of state (creating → ready, ready → deleted) is one transaction, durable when it
// returns (synchronous=FULL) and atomic across a crash, and a name has exactly one ready
// owner; with the name only inside the shards, a crash between creating a new index and
// removing an old one of the same name leaves two folders claiming it, and a folder half
// created is indistinguishable from one half deleted.
//
// States: `creating` (recorded before the folder is made: a folder whose creation failed
// is removed by the process that made it; one left by a crash is left alone, never
// listed), `ready` (served), `deleted` (recorded before its files are removed: a deletion
// interrupted by a crash is finished at the next open). `legacy` names the folder an index
// had in the layout of earlier versions (`<root>/<name>/`) until it is renamed to its uuid.
// Thread-safe.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "sqlite.hpp"

namespace orrery::data {

struct CatalogEntry {
  std::string uuid;
  std::string name;
  std::string state;   // creating, ready, deleted
  std::string legacy;  // the folder being migrated from, or empty
};

class Catalog {
 public:
  explicit Catalog(const std::filesystem::path& file);

  std::vector<CatalogEntry> entries();
  void creating(const std::string& uuid, const std::string& name);
  void ready(const std::string& uuid);
  void deleted(const std::string& uuid);
  void forget(const std::string& uuid);
  // An index of the earlier layout, ready, still in the folder `legacy`.
  void adopt(const std::string& uuid, const std::string& name, const std::string& legacy);
  void migrated(const std::string& uuid);

 private:
  void run(std::string_view sql, const std::vector<SqlValue>& values);

  std::mutex mutex_;
  Database db_;
};

}  // namespace orrery::data
