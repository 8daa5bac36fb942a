// One index: its settings, its mapping (explicit plus dynamically added fields) and its
// shards, each a SQLite file `<dir>/shard-<n>.sqlite` (the engine names `dir` by the
// index's uuid, never by its name). Documents are routed to a shard by
// a stable hash of their id. Every write is a transaction on its shard, committed before
// the call returns, so an acknowledged write survives a restart and is visible to the
// next search (refresh is implicit).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "depth_limits.hpp"
#include "errors.hpp"
#include "mapping.hpp"
#include "shard.hpp"

namespace orrery::data {

struct IndexSettings {
  int numberOfShards = 1;
  // index.translog.durability, as in Elasticsearch: `request` (the default) syncs each
  // write request to disk before it is acknowledged, so it survives a power cut; `async`
  // leaves that to the OS (it survives a crash of the process, not of the machine).
  bool syncEachRequest = true;
  std::string uuid;
  std::int64_t creationDate = 0;
  int mappingDepthLimit = kDefaultMappingDepthLimit;  // index.mapping.depth.limit
  // index.max_result_window: from + size of a search; index.max_inner_result_window:
  // from + size of a top_hits aggregation; index.mapping.total_fields.limit: fields and
  // objects the mapping may hold (Elasticsearch's defaults).
  std::int64_t maxResultWindow = 10'000;
  std::int64_t maxInnerResultWindow = 100;
  std::int64_t totalFieldsLimit = 1'000;
};

// One write of a bulk request, already parsed.
struct WriteOp {
  enum class Kind { index, create, update, del } kind = Kind::index;
  std::string id;  // empty for index without id: generated
  nlohmann::json source;  // index/create: the document; update: the partial `doc`
  bool docAsUpsert = false;
  nlohmann::json upsert;  // update: inserted when the document is missing
  WriteConditions conditions;
  // index/create from _bulk: the document's text as sent, stored as is and parsed when
  // written (`source` is null until then); `line` names it in a parse error.
  std::string rawSource;
  std::size_t line = 0;
  // How deeply `rawSource` may nest (data.json.maxNestingDepth): a deeper one fails this
  // write alone, before anything walks or stores it.
  int maxNestingDepth = kMaxJsonNestingDepth;
};

// The result of one write: the outcome, or the error it met.
struct WriteResult {
  std::string id;
  int shard = 0;
  std::optional<WriteOutcome> outcome;
  std::optional<EngineError> error;
  int status() const;
};

class Index {
 public:
  // Requests of at least this many writes to a shard prepare documents on a helper thread.
  static constexpr std::size_t kPrepareAheadMin = 64;

  // Creates the folder and shards, the index's uuid being `uuid`.
  static std::shared_ptr<Index> create(const std::filesystem::path& dir, const std::string& name, const std::string& uuid,
                                       const nlohmann::json& settings, const nlohmann::json& mappings);
  static std::shared_ptr<Index> open(const std::filesystem::path& dir, const std::string& name);
  ~Index();

  const std::string& name() const { return name_; }
  const std::filesystem::path& dir() const { return dir_; }
  const IndexSettings& settings() const { return settings_; }
  std::vector<std::unique_ptr<Shard>>& shards() { return shards_; }
  Mapping mapping() const;
  nlohmann::json settingsJson() const;

  int shardFor(const std::string& id) const;
  std::optional<StoredDocument> get(const std::string& id);
  // Runs writes in order, grouped in one transaction per shard; never throws for a
  // single write's failure (it is in that write's result). A large write may call
  // `written(i, result)` from a helper thread for some writes, once their result is final
  // (before write returns): work on results done while the shard writer still writes.
  using Written = std::function<void(std::size_t, const WriteResult&)>;
  std::vector<WriteResult> write(std::vector<WriteOp> ops, const Written& written = {});
  std::int64_t count();

  // Deleted indices remove their folder when the last user lets go (a search or bulk
  // request still running on it), then call `removed` (only if the folder is gone). The
  // folder is this index's own (its uuid): an index created since under the same name
  // has another one.
  void markDeleted(std::function<void()> removed = {});

 private:
  Index(std::filesystem::path dir, std::string name, IndexSettings settings);
  // A document to index, parsed and mapped (on the helper thread of a large write).
  struct Prepared {
    std::vector<IndexedValue> values;
    bool mappingChanged = false;  // dynamic mapping added fields: the writer stores the mapping
    std::optional<EngineError> error;
  };

  // Converts a document's values; new fields join the mapping (mappingChanged is set).
  std::vector<IndexedValue> extract(const nlohmann::json& source, const std::string& id, bool& mappingChanged);
  Prepared prepare(WriteOp& op);
  void persistMapping(Shard& shard);
  // generated: the id was generated for this write (no document can hold it yet).
  WriteResult apply(Shard& shard, WriteOp& op, bool generated, Prepared& prepared);

  std::filesystem::path dir_;
  std::string name_;
  IndexSettings settings_;
  mutable std::mutex mappingMutex_;
  Mapping mapping_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<bool> deleted_{false};
  std::function<void()> removed_;
};

std::string generateId();
// A new index uuid (22 characters of [A-Za-z0-9_-]), also its folder's name.
std::string newIndexUuid();

}  // namespace orrery::data
