// The embedded engine: the indices under one folder, each in a folder named by its uuid
// (`<root>/<uuid>/`, the name → uuid map in the catalog, see catalog.hpp; folders of
// earlier versions, `<root>/<name>/`, are moved to their uuid once, at open), opened on
// first use (constructing an engine touches no file), created on demand (explicitly or by
// the first document written to a new name, as action.auto_create_index allows), resolved
// from index expressions (`logs-*,metrics`, `_all`, `-excluded`). Every name from outside
// is validated (index_name.hpp) before it is used. An index whose files do not open is
// kept aside as broken: its requests fail with the reason, the other indices are served.
//
// The engine's lock guards its maps only: files are created and removed outside it (a
// name being created or deleted is reserved meanwhile), so one index's creation or
// deletion never holds up requests on the others.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "catalog.hpp"
#include "index.hpp"
#include "index_name.hpp"
#include "search_request.hpp"

namespace orrery::data {

struct EngineOptions {
  // action.auto_create_index: whether a write to a missing index creates it, and (when
  // `autoCreatePatterns` is not empty) which names may be: Elasticsearch's list, the
  // first pattern that matches decides, `+pattern` allows, `-pattern` forbids, none
  // matching forbids.
  bool autoCreate = true;
  std::vector<std::string> autoCreatePatterns;
  // data.local.maxIndices: indices (broken ones included) past which creation is refused,
  // well before each shard's open files exhaust the process's file descriptors.
  std::size_t maxIndices = 1000;
  // search.max_buckets (the data plugin's data.search.max_buckets): buckets one search's
  // aggregations may make.
  std::int64_t maxBuckets = kDefaultMaxBuckets;
  // Tests: called outside the engine's lock while an index's files are created (with its
  // name) or removed on a DELETE (with its name, before the files go).
  std::function<void(const std::string&)> duringFileWork;
};

class Engine {
 public:
  explicit Engine(std::filesystem::path root, EngineOptions options = {});

  const std::filesystem::path& root() const { return root_; }

  // Throws resource_already_exists_exception (also while another request creates that
  // name), invalid_index_name_exception, validation_exception past maxIndices, ...
  std::shared_ptr<Index> createIndex(const std::string& name, const nlohmann::json& body);
  // Throws index_not_found_exception.
  std::shared_ptr<Index> index(const std::string& name) const;
  std::shared_ptr<Index> findIndex(const std::string& name) const;
  // The index, created with defaults when it does not exist and auto-creation allows it
  // (index_not_found_exception otherwise, as Elasticsearch answers).
  std::shared_ptr<Index> indexForWrite(const std::string& name);
  void deleteIndex(const std::string& expression);

  // Concrete indices named by `expression`; a missing concrete name throws
  // index_not_found_exception, and an index whose files did not open (by name or by
  // wildcard) no_shard_available_action_exception, unless `ignoreUnavailable`; a wildcard
  // may match none.
  std::vector<std::shared_ptr<Index>> resolve(const std::string& expression, bool ignoreUnavailable = false) const;
  std::vector<std::shared_ptr<Index>> all() const;
  // The names `expression` resolves to by resolve's rules, broken indices included.
  std::set<std::string> names(const std::string& expression, bool ignoreUnavailable = false) const;
  // Indices whose files are there but did not open, with the reason. They stay on disk
  // untouched (never re-created over) until deleted; the others are served as usual.
  std::map<std::string, std::string> broken() const;
  // The folder of the index (or broken index) `name`, empty when there is none.
  std::filesystem::path folder(const std::string& name) const;
  // Called with the broken indices when the engine opens its folder and when one of them
  // is deleted (under the engine's lock: it must not call the engine). Set before use.
  using BrokenListener = std::function<void(const std::map<std::string, std::string>&)>;
  void onBrokenChanged(BrokenListener listener) { brokenListener_ = std::move(listener); }
  std::int64_t maxBuckets() const { return options_.maxBuckets; }

 private:
  struct Broken {
    std::string why;
    std::string uuid;
  };
  // A name whose files are being created or removed, outside the lock.
  struct Reservation {
    bool deleting = false;
    std::string uuid;
  };

  // Locks the engine, opening the indices under root on first use.
  std::unique_lock<std::mutex> opened() const;
  // Opens the catalog's indices and migrates folders of the earlier layout (under the lock,
  // on first use: nothing can be served before the engine knows its indices).
  void openAll() const;
  void openOne(const std::string& name, const std::string& uuid) const;
  void migrateLegacy(const std::filesystem::path& dir) const;
  std::map<std::string, std::string> brokenReasons() const;
  // Creates `name`; with `orExisting`, an index of that name (existing, or being created
  // by another request) is returned rather than refused.
  std::shared_ptr<Index> create(const std::string& name, const nlohmann::json& settings,
                                const nlohmann::json& mappings, bool orExisting);
  void checkAutoCreate(const std::string& name) const;

  std::filesystem::path root_;
  EngineOptions options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable released_;  // a reservation ended
  mutable bool open_ = false;
  mutable std::shared_ptr<Catalog> catalog_;  // shared with deleted indices still in use
  mutable std::map<std::string, std::shared_ptr<Index>> indices_;
  mutable std::map<std::string, Broken> broken_;
  std::map<std::string, Reservation> reserved_;
  BrokenListener brokenListener_;
};

// The error for using an index whose files did not open.
EngineError indexUnavailable(const std::string& index, const std::string& why);

// Shell-style match with `*` only, as index patterns use.
bool wildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace orrery::data
