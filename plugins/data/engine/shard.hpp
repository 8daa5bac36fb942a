// One shard of an index: a SQLite file holding the documents (`docs`: id, version,
// sequence number, _source, and one column per keyword/numeric/date/boolean field with
// an ordinary index), one FTS5 table per text field (unicode61 tokenizer: lowercase,
// Unicode word split, the standard analyzer's behaviour; bm25() ranking), and `mv` for
// the values of documents that hold several values of a field. The shard's own field
// table maps each field to its column, so shards grow columns independently.
//
// Not thread-safe: the owning Index serialises access with the shard's mutex.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mapping.hpp"
#include "sqlite.hpp"

namespace orrery::data {

struct ShardField {
  FieldMapping mapping;
  int column = 0;      // docs.c<column> or FTS table t<column>
  bool multi = false;  // some document holds several values (see `mv`)
};

struct StoredDocument {
  std::string id;
  std::int64_t version = 0;
  std::int64_t seqNo = 0;
  std::string source;
};

struct WriteOutcome {
  std::string result;  // created, updated, deleted, not_found
  std::int64_t version = 0;
  std::int64_t seqNo = 0;
};

// generated: an id the engine generated, which no document can hold yet.
enum class OpType { index, create, generated };

struct WriteConditions {
  std::optional<std::int64_t> ifSeqNo;
  std::optional<std::int64_t> ifPrimaryTerm;
};

class Shard {
 public:
  Shard(const std::filesystem::path& file, int number);

  int number() const { return number_; }
  std::mutex& mutex() { return mutex_; }
  Database& db() { return db_; }
  const std::map<std::string, ShardField>& fields() const { return fields_; }
  const ShardField* field(const std::string& name) const;

  // The explicit mapping and settings stored with the shard.
  nlohmann::json meta(const std::string& key) const;
  void setMeta(const std::string& key, const nlohmann::json& value);

  // true: each commit is synced to disk before it returns (synchronous=FULL); false:
  // the OS writes it back (NORMAL: survives a process crash, not a power cut).
  void setSyncEachCommit(bool sync);
  void begin();
  void commit();
  void rollback();
  // Copies committed WAL pages into the database file from a second connection, when the
  // WAL has grown (PASSIVE: never blocks the writer). Safe to call from another thread
  // while the writer writes: a large bulk request's helper does it while the shard's
  // writer goes on, instead of the writer stopping for a checkpoint at a commit.
  void checkpointAside();

  std::optional<StoredDocument> get(const std::string& id);
  // Writes a document; throws EngineError 409 version_conflict_engine_exception when
  // `op` is create and it exists, or the conditions do not hold.
  WriteOutcome put(const std::string& id, const std::string& source, const std::vector<IndexedValue>& values,
                   OpType op, const WriteConditions& conditions);
  WriteOutcome remove(const std::string& id, const WriteConditions& conditions);
  std::int64_t count();

 private:
  void createSchema();
  void loadFields();
  ShardField& ensureField(const std::string& name, const FieldMapping& mapping);
  Statement& cached(const std::string& sql);
  Statement& ftsInsert(int column);
  void checkConditions(const std::string& id, const std::optional<StoredDocument>& existing,
                       const WriteConditions& conditions);
  void deleteRows(std::int64_t seq);
  std::int64_t nextSeqNo();

  std::filesystem::path file_;
  Database db_;
  // WAL frames after the last commit (the writer's WAL hook), read by checkpointAside.
  std::atomic<int> walFrames_{0};
  std::mutex checkpointMutex_;
  std::unique_ptr<Database> checkpointDb_;  // opened on the first checkpoint aside
  int number_;
  std::mutex mutex_;
  std::map<std::string, ShardField> fields_;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
  std::map<int, std::unique_ptr<Statement>> ftsInserts_;
  // put()'s scratch lists, kept to reuse their memory across documents.
  std::vector<std::pair<int, const SqlValue*>> columns_;
  std::vector<std::pair<int, std::string>> texts_;
  std::vector<std::pair<int, const SqlValue*>> multi_;
  int nextColumn_ = 1;
  std::int64_t seqNo_ = -1;
};

}  // namespace orrery::data
