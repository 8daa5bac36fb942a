#include "catalog.hpp"

namespace orrery::data {

Catalog::Catalog(const std::filesystem::path& file) : db_(file) {
  db_.exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      " CREATE TABLE IF NOT EXISTS indices (uuid TEXT PRIMARY KEY, name TEXT NOT NULL,"
      " state TEXT NOT NULL, legacy TEXT NOT NULL DEFAULT '')");
}

void Catalog::run(std::string_view sql, const std::vector<SqlValue>& values) {
  std::lock_guard lock(mutex_);
  db_.prepare(sql).bindAll(values).run();
}

std::vector<CatalogEntry> Catalog::entries() {
  std::lock_guard lock(mutex_);
  std::vector<CatalogEntry> out;
  auto stmt = db_.prepare("SELECT uuid, name, state, legacy FROM indices ORDER BY rowid");
  while (stmt.step()) out.push_back({stmt.text(0), stmt.text(1), stmt.text(2), stmt.text(3)});
  return out;
}

void Catalog::creating(const std::string& uuid, const std::string& name) {
  run("INSERT INTO indices (uuid, name, state) VALUES (?, ?, 'creating')", {uuid, name});
}
void Catalog::ready(const std::string& uuid) { run("UPDATE indices SET state = 'ready' WHERE uuid = ?", {uuid}); }
void Catalog::deleted(const std::string& uuid) { run("UPDATE indices SET state = 'deleted' WHERE uuid = ?", {uuid}); }
void Catalog::forget(const std::string& uuid) { run("DELETE FROM indices WHERE uuid = ?", {uuid}); }
void Catalog::adopt(const std::string& uuid, const std::string& name, const std::string& legacy) {
  run("INSERT INTO indices (uuid, name, state, legacy) VALUES (?, ?, 'ready', ?)", {uuid, name, legacy});
}
void Catalog::migrated(const std::string& uuid) { run("UPDATE indices SET legacy = '' WHERE uuid = ?", {uuid}); }

}  // namespace orrery::data
