// One shard of an index: a SQLite file holding the documents (`docs`: id, version,
// sequence number, _source, and one column per keyword/numeric/date/boolean field with
// an ordinary index), one FTS5 table per text field (unicode61 tokenizer: lowercase,
// Unicode word split, the standard analyzer's behaviour; bm25() ranking), and `mv` for
// the values of documents that hold several values of a field. The shard's own field
// table maps each field to its column, so shards grow columns independently.
//
// Writes are not thread-safe: the owning Index serialises them with the shard's mutex.
// Reads (searches, gets) go through read(), from any thread, without that mutex.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
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

using ShardFields = std::map<std::string, ShardField>;
class Shard;

// What one search or get reads: a connection of its own to the shard file, in one read
// transaction, and the shard's fields as of that transaction. WAL lets it read while the
// writer writes, so a search neither waits for a bulk request nor holds it up, and every
// statement of the search sees the same committed state. Returns the connection to the
// shard's pool when destroyed.
class ShardReader {
 public:
  ShardReader(Shard& shard, std::unique_ptr<Database> db, std::shared_ptr<const ShardFields> fields);
  ~ShardReader();
  ShardReader(ShardReader&&) = default;
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  int number() const;
  Database& db() { return *db_; }
  const ShardFields& fields() const { return *fields_; }
  const ShardField* field(const std::string& name) const;

 private:
  Shard* shard_;
  std::unique_ptr<Database> db_;
  std::shared_ptr<const ShardFields> fields_;
};

class Shard {
 public:
  Shard(const std::filesystem::path& file, int number);

  int number() const { return number_; }
  // Held by the writer (Index) around begin..commit and every write call.
  std::mutex& mutex() { return mutex_; }
  // The writer's connection and fields (under mutex()).
  Database& db() { return db_; }
  const ShardFields& fields() const { return fields_; }
  const ShardField* field(const std::string& name) const;

  // A reader of the last committed state; any thread, no mutex needed.
  ShardReader read();

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

  // The writer's view (under mutex(), inside its transaction); see also getCommitted.
  std::optional<StoredDocument> get(const std::string& id);
  // The last committed version of a document, through a reader (no mutex needed).
  std::optional<StoredDocument> getCommitted(const std::string& id);
  // Writes a document; throws EngineError 409 version_conflict_engine_exception when
  // `op` is create and it exists, or the conditions do not hold.
  WriteOutcome put(const std::string& id, const std::string& source, const std::vector<IndexedValue>& values,
                   OpType op, const WriteConditions& conditions);
  WriteOutcome remove(const std::string& id, const WriteConditions& conditions);
  // Committed documents, through a reader (no mutex needed).
  std::int64_t count();

 private:
  friend class ShardReader;
  static std::optional<StoredDocument> getFrom(Statement& stmt, const std::string& id);
  std::unique_ptr<Database> openReaderConnection();
  void returnReader(std::unique_ptr<Database> db);
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
  ShardFields fields_;  // the writer's, including uncommitted new fields
  bool fieldsChanged_ = false;  // since the last commit
  // Published at each commit that changed fields. A reader takes it and starts its read
  // transaction under publishMutex_, which a commit holds from COMMIT to publishing:
  // its fields are never newer than its snapshot (no column it cannot see) nor older
  // (no multi-valued field read as single-valued).
  std::mutex publishMutex_;
  std::shared_ptr<const ShardFields> committedFields_;
  std::mutex readersMutex_;
  std::vector<std::unique_ptr<Database>> idleReaders_;
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
