#include "engine.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "errors.hpp"

namespace orrery::data {

bool wildcardMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

EngineError alreadyExists(const std::string& name, const std::string& uuid) {
  return EngineError(400, "resource_already_exists_exception", "index [" + name + "/" + uuid + "] already exists",
                     {{"index_uuid", uuid}, {"index", name}});
}

// Elasticsearch's IndexNotFoundException(reason, index): "no such index [x] and <reason>".
EngineError notAutoCreated(const std::string& name, const std::string& reason) {
  const auto base = indexNotFound(name);
  return EngineError(404, base.type(), "no such index [" + name + "] and " + reason, base.extra());
}

// A uuid read from an index's own files, used as a folder name only if it has the form
// the engine gives uuids (so nothing read from a file can make a path either).
bool isUuid(const std::string& text) {
  if (text.size() != 22) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// A single folder name, as listed from the index folder (the catalog keeps it for a migration).
bool isPlainFolderName(const std::string& text) {
  return !text.empty() && text != "." && text != ".." && text.find('/') == std::string::npos &&
         text.find('\0') == std::string::npos;
}

}  // namespace

Engine::Engine(std::filesystem::path root, EngineOptions options) : root_(std::move(root)), options_(std::move(options)) {}

std::unique_lock<std::mutex> Engine::opened() const {
  std::unique_lock lock(mutex_);
  if (open_) return lock;
  // On first use, not in the constructor: the data plugin builds the engine in setup(),
  // which must not stall the host, while every use runs on the blocking pool. A folder
  // that cannot be listed is the request's error, and the next use tries again; one
  // index that does not open (a damaged or unreadable file) does not stop the others.
  openAll();
  open_ = true;
  if (brokenListener_) brokenListener_(brokenReasons());
  return lock;
}

void Engine::openAll() const {
  std::filesystem::create_directories(root_);
  if (!catalog_) catalog_ = std::make_shared<Catalog>(root_ / "catalog.sqlite");
  indices_.clear();
  broken_.clear();
  std::set<std::string> uuids;
  for (const auto& entry : catalog_->entries()) {
    uuids.insert(entry.uuid);
    if (!isUuid(entry.uuid)) continue;
    const auto dir = root_ / entry.uuid;
    if (entry.state == "deleted") {
      // A deletion a crash interrupted: finished now.
      std::error_code error;
      std::filesystem::remove_all(dir, error);
      if (!error) catalog_->forget(entry.uuid);
      continue;
    }
    // `creating`: a creation a crash interrupted; its folder is left as it is (see catalog.hpp).
    if (entry.state != "ready") continue;
    if (!entry.legacy.empty() && isPlainFolderName(entry.legacy)) {
      // A migration a crash interrupted before the folder was renamed.
      const auto old = root_ / entry.legacy;
      std::error_code error;
      if (!std::filesystem::exists(dir) && std::filesystem::exists(old / "shard-0.sqlite")) {
        std::filesystem::rename(old, dir, error);
      }
      if (error) {
        broken_[entry.name] = {"cannot move " + old.string() + " to " + dir.string() + ": " + error.message(), entry.uuid};
        continue;
      }
      catalog_->migrated(entry.uuid);
    }
    openOne(entry.name, entry.uuid);
  }
  // Folders of the earlier layout (`<root>/<name>/`): every folder this version makes has
  // a catalog row, made before the folder.
  std::vector<std::filesystem::path> legacy;
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (!entry.is_directory() || !std::filesystem::exists(entry.path() / "shard-0.sqlite")) continue;
    if (!uuids.count(entry.path().filename().string())) legacy.push_back(entry.path());
  }
  for (const auto& dir : legacy) migrateLegacy(dir);
}

void Engine::openOne(const std::string& name, const std::string& uuid) const {
  try {
    indices_[name] = Index::open(root_ / uuid, name);
  } catch (const std::exception& error) {
    broken_[name] = {error.what(), uuid};
  }
}

void Engine::migrateLegacy(const std::filesystem::path& dir) const {
  const auto name = dir.filename().string();
  // A name the catalog already serves: this folder is left as it is.
  if (indices_.count(name) || broken_.count(name) || !isPlainFolderName(name)) return;
  std::string uuid;
  try {
    uuid = Index::open(dir, name)->settings().uuid;  // closed again at once
  } catch (const std::exception&) {
    // Does not open: it moves all the same, and is listed broken as before.
  }
  if (!isUuid(uuid) || std::filesystem::exists(root_ / uuid)) uuid = newIndexUuid();
  // Recorded first: a crash after the row and before the rename finishes the rename at
  // the next open; a crash before the row leaves the old folder, migrated next time.
  catalog_->adopt(uuid, name, name);
  std::filesystem::rename(dir, root_ / uuid);
  catalog_->migrated(uuid);
  openOne(name, uuid);
}

std::map<std::string, std::string> Engine::brokenReasons() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, broken] : broken_) out[name] = broken.why;
  return out;
}

std::shared_ptr<Index> Engine::createIndex(const std::string& name, const nlohmann::json& body) {
  validateIndexName(name);
  nlohmann::json settings, mappings;
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (key == "settings") settings = value;
      else if (key == "mappings") mappings = value;
      else if (key == "aliases") continue;
      else throw EngineError(400, "parse_exception", "unknown key [" + key + "] for create index");
    }
  } else if (!body.is_null()) {
    throw EngineError(400, "parse_exception", "request body must be an object");
  }
  return create(name, settings, mappings, false);
}

std::shared_ptr<Index> Engine::create(const std::string& name, const nlohmann::json& settings,
                                      const nlohmann::json& mappings, bool orExisting) {
  auto lock = opened();
  for (;;) {
    // Its files are there: creating would hide them.
    if (auto bad = broken_.find(name); bad != broken_.end()) throw indexUnavailable(name, bad->second.why);
    if (auto it = indices_.find(name); it != indices_.end()) {
      if (orExisting) return it->second;
      throw alreadyExists(name, it->second->settings().uuid);
    }
    auto busy = reserved_.find(name);
    if (busy == reserved_.end()) break;
    if (!busy->second.deleting && !orExisting) throw alreadyExists(name, busy->second.uuid);
    released_.wait(lock);  // being deleted, or created by another write: its outcome decides
  }
  if (orExisting) checkAutoCreate(name);
  std::size_t count = indices_.size() + broken_.size();
  for (const auto& entry : reserved_) count += entry.second.deleting ? 0 : 1;
  if (count >= options_.maxIndices) {
    throw EngineError(400, "validation_exception",
                      "Validation Failed: 1: this action would add [1] index, but this node currently has [" +
                          std::to_string(count) + "]/[" + std::to_string(options_.maxIndices) +
                          "] maximum indices open; raise [data.local.maxIndices] to allow more;");
  }
  const auto uuid = newIndexUuid();
  reserved_[name] = {false, uuid};
  lock.unlock();
  // The files are made outside the lock; the name stays reserved meanwhile.
  const auto dir = root_ / uuid;
  std::shared_ptr<Index> index;
  bool recorded = false;
  try {
    catalog_->creating(uuid, name);
    recorded = true;
    if (options_.duringFileWork) options_.duringFileWork(name);
    index = Index::create(dir, name, uuid, settings, mappings);
    catalog_->ready(uuid);
  } catch (...) {
    index.reset();  // its files closed before they go
    if (recorded) {
      // The catalog says this folder belongs to this creation, which failed: nothing else is in it.
      std::error_code error;
      std::filesystem::remove_all(dir, error);
      try {
        if (!error) catalog_->forget(uuid);
      } catch (...) {
      }
    }
    lock.lock();
    reserved_.erase(name);
    released_.notify_all();
    throw;
  }
  lock.lock();
  reserved_.erase(name);
  indices_[name] = index;
  released_.notify_all();
  return index;
}

void Engine::checkAutoCreate(const std::string& name) const {
  if (!options_.autoCreate) throw notAutoCreated(name, "[action.auto_create_index] is [false]");
  if (options_.autoCreatePatterns.empty()) return;
  std::string list;
  for (const auto& entry : options_.autoCreatePatterns) {
    list.append(list.empty() ? "" : ",").append(entry);
    const bool forbid = entry.starts_with("-");
    const std::string_view pattern = entry.starts_with("-") || entry.starts_with("+") ? std::string_view(entry).substr(1) : entry;
    if (!wildcardMatch(pattern, name)) continue;
    if (!forbid) return;
    throw notAutoCreated(name, "[action.auto_create_index] contains [-" + std::string(pattern) +
                                   "] which forbids automatic creation of the index");
  }
  throw notAutoCreated(name, "[action.auto_create_index] ([" + list + "]) doesn't match");
}

std::shared_ptr<Index> Engine::findIndex(const std::string& name) const {
  validateIndexName(name);
  auto lock = opened();
  if (auto bad = broken_.find(name); bad != broken_.end()) throw indexUnavailable(name, bad->second.why);
  auto it = indices_.find(name);
  return it == indices_.end() ? nullptr : it->second;
}

std::shared_ptr<Index> Engine::index(const std::string& name) const {
  auto found = findIndex(name);
  if (!found) throw indexNotFound(name);
  return found;
}

std::shared_ptr<Index> Engine::indexForWrite(const std::string& name) {
  validateIndexName(name);
  return create(name, nullptr, nullptr, true);
}

void Engine::deleteIndex(const std::string& expression) {
  // A broken index is deleted too: removing it is how an operator clears it.
  auto targets = names(expression, false);
  struct Doomed {
    std::string name;
    std::string uuid;
    std::shared_ptr<Index> index;  // null for a broken index
    std::string why;
  };
  std::vector<Doomed> doomed;
  {
    auto lock = opened();
    for (const auto& name : targets) {
      if (reserved_.count(name)) continue;  // being deleted by another request
      if (auto it = indices_.find(name); it != indices_.end()) {
        doomed.push_back({name, it->second->settings().uuid, it->second, {}});
        indices_.erase(it);
      } else if (auto bad = broken_.find(name); bad != broken_.end()) {
        doomed.push_back({name, bad->second.uuid, nullptr, bad->second.why});
        broken_.erase(bad);
      } else {
        continue;
      }
      reserved_[name] = {true, doomed.back().uuid};
    }
  }
  // Outside the lock: the catalog records each deletion, then the files go (an index in
  // use by a search or bulk request goes when the last of them lets go of it).
  std::vector<Doomed> kept;
  std::optional<EngineError> failure;
  bool brokenChanged = false;
  for (auto& item : doomed) {
    try {
      if (options_.duringFileWork) options_.duringFileWork(item.name);
      catalog_->deleted(item.uuid);
    } catch (const std::exception& error) {
      failure = EngineError(500, "exception", "[" + item.name + "] could not be deleted: " + error.what());
      kept.push_back(item);
      continue;
    }
    if (item.index) {
      item.index->markDeleted([catalog = catalog_, uuid = item.uuid] { catalog->forget(uuid); });
      item.index.reset();
      continue;
    }
    brokenChanged = true;
    std::error_code error;
    std::filesystem::remove_all(root_ / item.uuid, error);
    // Kept as broken if its files could not all be removed: they would be found again.
    if (error) {
      failure = EngineError(500, "exception", "[" + item.name + "] could not be deleted: " + error.message());
      kept.push_back(item);
      continue;
    }
    try {
      catalog_->forget(item.uuid);
    } catch (...) {
      // the row says deleted; the next open forgets it
    }
  }
  auto lock = opened();
  for (const auto& item : doomed) reserved_.erase(item.name);
  for (auto& item : kept) {
    if (item.index) indices_[item.name] = std::move(item.index);
    else broken_[item.name] = {item.why, item.uuid};
  }
  released_.notify_all();
  if (brokenChanged && brokenListener_) brokenListener_(brokenReasons());
  if (failure) throw *failure;
}

std::map<std::string, std::string> Engine::broken() const {
  auto lock = opened();
  return brokenReasons();
}

std::filesystem::path Engine::folder(const std::string& name) const {
  auto lock = opened();
  if (auto it = indices_.find(name); it != indices_.end()) return it->second->dir();
  if (auto bad = broken_.find(name); bad != broken_.end()) return root_ / bad->second.uuid;
  return {};
}

std::vector<std::shared_ptr<Index>> Engine::all() const {
  auto lock = opened();
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& [name, index] : indices_) out.push_back(index);
  return out;
}

std::set<std::string> Engine::names(const std::string& expression, bool ignoreUnavailable) const {
  auto lock = opened();
  std::set<std::string> chosen;
  const auto known = [&](const std::string& name) { return indices_.count(name) || broken_.count(name); };
  std::size_t start = 0;
  const std::string expr = expression.empty() ? "_all" : expression;
  while (start <= expr.size()) {
    auto comma = expr.find(',', start);
    if (comma == std::string::npos) comma = expr.size();
    std::string part = expr.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) continue;
    const bool exclude = part.front() == '-' && !chosen.empty();
    if (exclude) part = part.substr(1);
    if (part == "_all" || part == "*") part = "*";
    if (part.find('*') != std::string::npos) validateIndexPattern(part);
    else validateIndexName(part);
    if (part.find('*') != std::string::npos) {
      const auto consider = [&](const std::string& name) {
        // Wildcards skip hidden (dot-prefixed) indices unless the pattern starts with a dot.
        if (name.front() == '.' && part.front() != '.') return;
        if (wildcardMatch(part, name)) exclude ? (void)chosen.erase(name) : (void)chosen.insert(name);
      };
      for (const auto& entry : indices_) consider(entry.first);
      for (const auto& entry : broken_) consider(entry.first);
    } else if (exclude) {
      chosen.erase(part);
    } else if (known(part)) {
      chosen.insert(part);
    } else if (!ignoreUnavailable) {
      throw indexNotFound(part);
    }
    if (comma == expr.size()) break;
  }
  return chosen;
}

std::vector<std::shared_ptr<Index>> Engine::resolve(const std::string& expression, bool ignoreUnavailable) const {
  const auto chosen = names(expression, ignoreUnavailable);
  auto lock = opened();
  std::vector<std::shared_ptr<Index>> out;
  for (const auto& name : chosen) {
    if (auto it = indices_.find(name); it != indices_.end()) out.push_back(it->second);
    else if (!ignoreUnavailable && broken_.count(name)) throw indexUnavailable(name, broken_.at(name).why);
  }
  return out;
}

EngineError indexUnavailable(const std::string& index, const std::string& why) {
  return EngineError(503, "no_shard_available_action_exception",
                     "[" + index + "] cannot be used: its files did not open (" + why +
                         "); the files are left as they are; delete the index to remove them",
                     {{"index", index}});
}

}  // namespace orrery::data
