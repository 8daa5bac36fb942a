#include "shard.hpp"

#include <algorithm>

#include "errors.hpp"
#include "sloppy_phrase.hpp"

namespace orrery::data {
namespace {

nlohmann::json fieldSpec(const FieldMapping& m) {
  nlohmann::json spec = {{"type", toString(m.type)}, {"sourcePath", m.sourcePath}, {"parent", m.parent}};
  if (m.ignoreAbove) spec["ignore_above"] = *m.ignoreAbove;
  return spec;
}

FieldMapping fieldFromSpec(const nlohmann::json& spec) {
  FieldMapping m;
  m.type = fieldTypeFromString(spec.value("type", "keyword")).value_or(FieldType::keyword);
  m.sourcePath = spec.value("sourcePath", "");
  m.parent = spec.value("parent", "");
  if (spec.contains("ignore_above")) m.ignoreAbove = spec["ignore_above"].get<std::size_t>();
  return m;
}

}  // namespace

namespace {

// WAL sizes (frames of 16 KB) for checkpoints: aside from the writer from this size, by the
// writer itself at a commit from the larger one (requests too small to have a helper).
constexpr int kCheckpointAsideFrames = 4096;
constexpr int kCheckpointFrames = 16384;

// Replaces SQLite's autocheckpoint hook (same rule, at kCheckpointFrames) and records the
// WAL's size for checkpointAside.
int walHook(void* arg, sqlite3* db, const char* name, int frames) {
  static_cast<std::atomic<int>*>(arg)->store(frames);
  if (frames >= kCheckpointFrames) sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

}  // namespace

Shard::Shard(const std::filesystem::path& file, int number) : file_(file), db_(file), number_(number) {
  // WAL: readers do not block the writer. Synced at each commit (FULL) unless the index
  // says otherwise (setSyncEachCommit).
  // A 64 MB page cache per shard: with an index per field, the default 2 MB makes bulk
  // loads and aggregations re-read B-tree pages from the OS over and over.
  // 16 KB pages (new files only; WAL fixes the size): fewer B-tree pages and WAL frames
  // per document written (bulk +20% at a million documents in tools/bench/search).
  // Checkpoints at 4,096 pages (64 MB of WAL) aside from the writer, or at 16,384 by the
  // writer, rather than at 1,000: index pages a load rewrites in every request reach the
  // database file once per checkpoint, not each time (walHook, checkpointAside).
  // Reads through mmap (1 GB of address space, not memory): a query's row lookups in a
  // large shard cost a page-cache access instead of a pread and a copy each (range+terms
  // 2.9x faster at a million documents).
  db_.exec(
      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
      " PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;");
  sqlite3_wal_hook(db_.handle(), walHook, &walFrames_);
  createSchema();
  loadFields();
  committedFields_ = std::make_shared<const ShardFields>(fields_);
}

namespace {
// Idle reader connections a shard keeps; more are opened when more searches run at once.
constexpr std::size_t kIdleReaders = 4;
}  // namespace

std::unique_ptr<Database> Shard::openReaderConnection() {
  auto db = std::make_unique<Database>(file_);
  // Reads go through mmap (see the writer's pragmas), so a smaller page cache will do.
  db->exec("PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384; PRAGMA mmap_size=1073741824;");
  registerSloppyPhrase(*db);  // match_phrase slop as Lucene orders terms (sloppy_phrase.hpp)
  return db;
}

void Shard::returnReader(std::unique_ptr<Database> db) {
  std::lock_guard lock(readersMutex_);
  if (idleReaders_.size() < kIdleReaders) idleReaders_.push_back(std::move(db));
}

ShardReader Shard::read() {
  std::unique_ptr<Database> db;
  {
    std::lock_guard lock(readersMutex_);
    if (!idleReaders_.empty()) {
      db = std::move(idleReaders_.back());
      idleReaders_.pop_back();
    }
  }
  if (!db) db = openReaderConnection();
  std::shared_ptr<const ShardFields> fields;
  {
    std::lock_guard publish(publishMutex_);
    fields = committedFields_;
    // A read transaction's snapshot is taken at its first read, not at BEGIN.
    db->exec("BEGIN; SELECT 1 FROM meta LIMIT 1;");
  }
  return ShardReader(*this, std::move(db), std::move(fields));
}

ShardReader::ShardReader(Shard& shard, std::unique_ptr<Database> db, std::shared_ptr<const ShardFields> fields)
    : shard_(&shard), db_(std::move(db)), fields_(std::move(fields)) {}

ShardReader::~ShardReader() {
  if (!db_) return;
  try {
    db_->exec("COMMIT");
    shard_->returnReader(std::move(db_));
  } catch (...) {
    // A statement still running (it should not be): the connection is closed, not reused.
  }
}

int ShardReader::number() const { return shard_->number(); }

const ShardField* ShardReader::field(const std::string& name) const {
  auto it = fields_->find(name);
  return it == fields_->end() ? nullptr : &it->second;
}

void Shard::createSchema() {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS fields(name TEXT PRIMARY KEY, col INTEGER NOT NULL UNIQUE, multi INTEGER NOT NULL,"
      " spec TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS docs(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, version INTEGER NOT NULL,"
      " seq_no INTEGER NOT NULL, source TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS mv(doc INTEGER NOT NULL, col INTEGER NOT NULL, v);"
      "CREATE INDEX IF NOT EXISTS mv_value ON mv(col, v, doc);"
      "CREATE INDEX IF NOT EXISTS mv_doc ON mv(doc);");
}

void Shard::loadFields() {
  auto stmt = db_.prepare("SELECT name, col, multi, spec FROM fields");
  while (stmt.step()) {
    ShardField f{fieldFromSpec(nlohmann::json::parse(stmt.text(3))), static_cast<int>(stmt.integer(1)),
                 stmt.integer(2) != 0};
    nextColumn_ = std::max(nextColumn_, f.column + 1);
    fields_[stmt.text(0)] = f;
  }
  auto seq = db_.prepare("SELECT value FROM meta WHERE key = 'seq_no'");
  if (seq.step()) seqNo_ = std::stoll(seq.text(0));
}

const ShardField* Shard::field(const std::string& name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

nlohmann::json Shard::meta(const std::string& key) const {
  auto stmt = const_cast<Database&>(db_).prepare("SELECT value FROM meta WHERE key = ?");
  stmt.bind(1, key);
  if (!stmt.step()) return nullptr;
  return nlohmann::json::parse(stmt.text(0));
}

void Shard::setMeta(const std::string& key, const nlohmann::json& value) {
  auto stmt = db_.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  stmt.bind(1, key).bind(2, value.dump());
  stmt.run();
}

void Shard::checkpointAside() {
  if (walFrames_.load() < kCheckpointAsideFrames) return;
  std::lock_guard lock(checkpointMutex_);
  if (!checkpointDb_) checkpointDb_ = std::make_unique<Database>(file_);
  // SQLITE_BUSY (another checkpoint runs) is fine: the WAL is checkpointed anyway.
  sqlite3_wal_checkpoint_v2(checkpointDb_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

void Shard::setSyncEachCommit(bool sync) { db_.exec(sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); }

void Shard::begin() { db_.exec("BEGIN IMMEDIATE"); }
void Shard::commit() {
  if (seqNo_ >= 0) {
    auto& stmt = cached("INSERT INTO meta(key, value) VALUES('seq_no', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    stmt.reset();
    stmt.bind(1, std::to_string(seqNo_));
    stmt.run();
  }
  std::lock_guard publish(publishMutex_);
  db_.exec("COMMIT");
  if (fieldsChanged_) {
    committedFields_ = std::make_shared<const ShardFields>(fields_);
    fieldsChanged_ = false;
  }
}
void Shard::rollback() {
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
  }
  // Columns added in the rolled-back transaction are gone: reload what is committed.
  fields_.clear();
  statements_.clear();
  ftsInserts_.clear();
  seqNo_ = -1;
  nextColumn_ = 1;
  loadFields();
  fieldsChanged_ = false;  // back to the committed fields
}

Statement& Shard::cached(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) slot = std::make_unique<Statement>(db_.handle(), sql);
  return *slot;
}

ShardField& Shard::ensureField(const std::string& name, const FieldMapping& mapping) {
  auto it = fields_.find(name);
  if (it != fields_.end()) return it->second;
  const int column = nextColumn_++;
  const std::string col = std::to_string(column);
  if (mapping.type == FieldType::text) {
    db_.exec("CREATE VIRTUAL TABLE t" + col + " USING fts5(body, tokenize = 'unicode61 remove_diacritics 0');"
             "CREATE VIRTUAL TABLE v" + col + " USING fts5vocab(t" + col + ", 'instance');");
  } else {
    db_.exec("ALTER TABLE docs ADD COLUMN c" + col + ";CREATE INDEX docs_c" + col + " ON docs(c" + col + ");");
  }
  auto stmt = db_.prepare("INSERT INTO fields(name, col, multi, spec) VALUES(?, ?, 0, ?)");
  stmt.bind(1, name).bind(2, std::int64_t{column}).bind(3, fieldSpec(mapping).dump());
  stmt.run();
  // The schema changed: statements naming docs' columns are prepared again on next use.
  statements_.clear();
  ftsInserts_.clear();
  fieldsChanged_ = true;
  return fields_[name] = ShardField{mapping, column, false};
}

std::optional<StoredDocument> Shard::getFrom(Statement& stmt, const std::string& id) {
  stmt.reset();
  stmt.bind(1, id);
  if (!stmt.step()) return std::nullopt;
  StoredDocument doc{stmt.text(0), stmt.integer(1), stmt.integer(2), stmt.text(3)};
  stmt.reset();
  return doc;
}

std::optional<StoredDocument> Shard::get(const std::string& id) {
  return getFrom(cached("SELECT id, version, seq_no, source FROM docs WHERE id = ?"), id);
}

std::optional<StoredDocument> Shard::getCommitted(const std::string& id) {
  auto reader = read();
  auto stmt = reader.db().prepare("SELECT id, version, seq_no, source FROM docs WHERE id = ?");
  return getFrom(stmt, id);
}

std::int64_t Shard::nextSeqNo() { return ++seqNo_; }

void Shard::checkConditions(const std::string& id, const std::optional<StoredDocument>& existing,
                            const WriteConditions& conditions) {
  if (!conditions.ifSeqNo && !conditions.ifPrimaryTerm) return;
  const std::int64_t seq = existing ? existing->seqNo : -2;
  const bool ok = existing && (!conditions.ifSeqNo || *conditions.ifSeqNo == seq) &&
                  (!conditions.ifPrimaryTerm || *conditions.ifPrimaryTerm == 1);
  if (!ok) {
    std::string reason = "[" + id + "]: version conflict, required seqNo [" +
                         std::to_string(conditions.ifSeqNo.value_or(-2)) + "], primary term [" +
                         std::to_string(conditions.ifPrimaryTerm.value_or(0)) + "]. ";
    reason += existing ? "current document has seqNo [" + std::to_string(seq) + "] and primary term [1]"
                       : "but no document was found";
    throw EngineError(409, "version_conflict_engine_exception", reason, {{"shard", std::to_string(number_)}});
  }
}

void Shard::deleteRows(std::int64_t seq) {
  for (const auto& [name, f] : fields_) {
    if (f.mapping.type != FieldType::text) continue;
    auto& del = cached("DELETE FROM t" + std::to_string(f.column) + " WHERE rowid = ?");
    del.reset();
    del.bind(1, seq);
    del.run();
  }
  auto& mv = cached("DELETE FROM mv WHERE doc = ?");
  mv.reset();
  mv.bind(1, seq);
  mv.run();
  auto& doc = cached("DELETE FROM docs WHERE seq = ?");
  doc.reset();
  doc.bind(1, seq);
  doc.run();
}

WriteOutcome Shard::put(const std::string& id, const std::string& source, const std::vector<IndexedValue>& values,
                        OpType op, const WriteConditions& conditions) {
  std::int64_t oldSeq = -1;
  std::int64_t version = 1;
  // A generated id is new by construction (120 random bits): no lookup, as Elasticsearch
  // skips its version lookup for auto-generated ids.
  if (op != OpType::generated) {
    auto& find = cached("SELECT seq, version, seq_no FROM docs WHERE id = ?");
    find.reset();
    find.bind(1, id);
    std::optional<StoredDocument> existing;
    if (find.step()) {
      oldSeq = find.integer(0);
      existing = StoredDocument{id, find.integer(1), find.integer(2), {}};
      version = existing->version + 1;
    }
    find.reset();
    if (existing && op == OpType::create) {
      throw EngineError(409, "version_conflict_engine_exception",
                        "[" + id + "]: version conflict, document already exists (current version [" +
                            std::to_string(existing->version) + "])",
                        {{"shard", std::to_string(number_)}});
    }
    checkConditions(id, existing, conditions);
  }
  if (oldSeq >= 0) deleteRows(oldSeq);

  // Values grouped by field (extract gives a field's values one after another, but a
  // field may come back later in an array of objects): one value goes in the field's
  // column, several in `mv`, text values joined into the field's FTS row.
  std::vector<const IndexedValue*> sorted;
  sorted.reserve(values.size());
  for (const auto& v : values) sorted.push_back(&v);
  std::stable_sort(sorted.begin(), sorted.end(), [](const IndexedValue* a, const IndexedValue* b) { return a->field < b->field; });
  columns_.clear();
  texts_.clear();
  multi_.clear();
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && sorted[j]->field == sorted[i]->field) ++j;
    const std::string& name = sorted[i]->field;
    FieldMapping mapping{sorted[i]->type, name, "", std::nullopt};
    ShardField& f = ensureField(name, mapping);
    if (f.mapping.type == FieldType::text) {
      std::string joined;
      for (std::size_t k = i; k < j; ++k) {
        if (k > i) joined += "\n";
        joined += std::get<std::string>(sorted[k]->value);
      }
      texts_.emplace_back(f.column, std::move(joined));
    } else if (j - i == 1) {
      columns_.emplace_back(f.column, &sorted[i]->value);
    } else {
      if (!f.multi) {
        auto mark = db_.prepare("UPDATE fields SET multi = 1 WHERE name = ?");
        mark.bind(1, name);
        mark.run();
        f.multi = true;
        fieldsChanged_ = true;
      }
      for (std::size_t k = i; k < j; ++k) multi_.emplace_back(f.column, &sorted[k]->value);
    }
    i = j;
  }
  // The insert statement for this set of columns, prepared once per set (documents of a
  // load mostly share one): keyed by the column numbers, the SQL built only when new.
  std::string key = "I";
  for (const auto& [column, value] : columns_) key += std::to_string(column) + ",";
  auto& slot = statements_[key];
  if (!slot) {
    std::string sql = "INSERT INTO docs(id, version, seq_no, source";
    std::string placeholders = "?, ?, ?, ?";
    for (const auto& [column, value] : columns_) {
      sql += ", c" + std::to_string(column);
      placeholders += ", ?";
    }
    sql += ") VALUES(" + placeholders + ")";
    slot = std::make_unique<Statement>(db_.handle(), sql);
  }
  const std::int64_t seqNo = nextSeqNo();
  auto& insert = *slot;
  insert.reset();
  insert.bind(1, id).bind(2, version).bind(3, seqNo).bind(4, source);
  for (std::size_t i = 0; i < columns_.size(); ++i) insert.bind(static_cast<int>(i + 5), *columns_[i].second);
  insert.run();
  const std::int64_t seq = db_.lastInsertRowid();
  for (const auto& [column, text] : texts_) {
    auto& fts = ftsInsert(column);
    fts.reset();
    fts.bind(1, seq).bind(2, text);
    fts.run();
  }
  for (const auto& [column, value] : multi_) {
    auto& mv = cached("INSERT INTO mv(doc, col, v) VALUES(?, ?, ?)");
    mv.reset();
    mv.bind(1, seq).bind(2, std::int64_t{column}).bind(3, *value);
    mv.run();
  }
  return {oldSeq >= 0 ? "updated" : "created", version, seqNo};
}

Statement& Shard::ftsInsert(int column) {
  auto& slot = ftsInserts_[column];
  if (!slot) slot = std::make_unique<Statement>(db_.handle(), "INSERT INTO t" + std::to_string(column) + "(rowid, body) VALUES(?, ?)");
  return *slot;
}

WriteOutcome Shard::remove(const std::string& id, const WriteConditions& conditions) {
  auto& find = cached("SELECT seq, version, seq_no FROM docs WHERE id = ?");
  find.reset();
  find.bind(1, id);
  std::optional<StoredDocument> existing;
  std::int64_t seq = -1;
  if (find.step()) {
    seq = find.integer(0);
    existing = StoredDocument{id, find.integer(1), find.integer(2), {}};
  }
  find.reset();
  checkConditions(id, existing, conditions);
  if (!existing) return {"not_found", 1, nextSeqNo()};
  deleteRows(seq);
  return {"deleted", existing->version + 1, nextSeqNo()};
}

std::int64_t Shard::count() {
  auto reader = read();
  auto stmt = reader.db().prepare("SELECT count(*) FROM docs");
  stmt.step();
  return stmt.integer(0);
}

}  // namespace orrery::data
