// The embedded engine: the indices under one folder (`<root>/<index name>/`), opened on
// first use (constructing an engine touches no file), created on demand (explicitly or by
// the first document written to a new name), resolved from index expressions
// (`logs-*,metrics`, `_all`, `-excluded`). An index whose files do not open is kept aside
// as broken: its requests fail with the reason, the other indices are served.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "index.hpp"
#include "search_request.hpp"

namespace orrery::data {

class Engine {
 public:
  explicit Engine(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }

  // Throws resource_already_exists_exception, invalid_index_name_exception, ...
  std::shared_ptr<Index> createIndex(const std::string& name, const nlohmann::json& body);
  // Throws index_not_found_exception.
  std::shared_ptr<Index> index(const std::string& name) const;
  std::shared_ptr<Index> findIndex(const std::string& name) const;
  // The index, created with defaults when it does not exist (auto_create_index).
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
  // Called with the broken indices when the engine opens its folder and when one of them
  // is deleted (under the engine's lock: it must not call the engine). Set before use.
  using BrokenListener = std::function<void(const std::map<std::string, std::string>&)>;
  void onBrokenChanged(BrokenListener listener) { brokenListener_ = std::move(listener); }
  // search.max_buckets (the data plugin's config): buckets one search's aggregations may
  // make. Set before use.
  void setMaxBuckets(std::int64_t maxBuckets) { maxBuckets_ = maxBuckets; }
  std::int64_t maxBuckets() const { return maxBuckets_; }

 private:
  // Locks the engine, opening the indices under root on first use.
  std::unique_lock<std::mutex> opened() const;

  std::filesystem::path root_;
  mutable std::mutex mutex_;
  mutable bool open_ = false;
  mutable std::map<std::string, std::shared_ptr<Index>> indices_;
  mutable std::map<std::string, std::string> broken_;
  BrokenListener brokenListener_;
  std::int64_t maxBuckets_ = kDefaultMaxBuckets;
};

// The error for using an index whose files did not open.
EngineError indexUnavailable(const std::string& index, const std::string& why);

// Throws invalid_index_name_exception when `name` is not a valid index name.
void validateIndexName(const std::string& name);
// Shell-style match with `*` only, as index patterns use.
bool wildcardMatch(std::string_view pattern, std::string_view text);

}  // namespace orrery::data
