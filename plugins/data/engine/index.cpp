#include "index.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cctype>
#include <chrono>
#include <mutex>
#include <random>

#include "errors.hpp"
#include "prepare_ahead.hpp"

namespace orrery::data {
namespace {

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string randomToken(std::size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string out(length, 'A');
  for (auto& c : out) c = kAlphabet[rng() % 64];
  return out;
}

nlohmann::json mappingSpec(const Mapping& mapping) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, f] : mapping.fields()) {
    nlohmann::json spec = {{"type", toString(f.type)}, {"sourcePath", f.sourcePath}, {"parent", f.parent}};
    if (f.ignoreAbove) spec["ignore_above"] = *f.ignoreAbove;
    out[name] = spec;
  }
  return out;
}

std::map<std::string, FieldMapping> specFields(const nlohmann::json& spec) {
  std::map<std::string, FieldMapping> out;
  if (!spec.is_object()) return out;
  for (const auto& [name, s] : spec.items()) {
    FieldMapping f;
    f.type = fieldTypeFromString(s.value("type", "keyword")).value_or(FieldType::keyword);
    f.sourcePath = s.value("sourcePath", name);
    f.parent = s.value("parent", "");
    if (s.contains("ignore_above")) f.ignoreAbove = s["ignore_above"].get<std::size_t>();
    out[name] = f;
  }
  return out;
}

// Merges `patch` into `target` as a partial update does: objects recursively, the rest replaced.
void mergeDoc(nlohmann::json& target, const nlohmann::json& patch) {
  for (const auto& [key, value] : patch.items()) {
    if (value.is_object() && target.contains(key) && target[key].is_object()) {
      mergeDoc(target[key], value);
    } else {
      target[key] = value;
    }
  }
}

// Index settings as (dotted key, value) pairs, nested objects flattened.
void flattenSettings(const nlohmann::json& node, const std::string& prefix,
                     std::vector<std::pair<std::string, const nlohmann::json*>>& out) {
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (value.is_object()) flattenSettings(value, prefix + key + ".", out);
    else out.emplace_back(prefix + key, &value);
  }
}

}  // namespace

// Time-ordered ids, as Elasticsearch's auto-generated ids are: a counter that starts at
// the current time in microsecond-ish units and only grows, then a random suffix fixed per
// process. Written in a 64-letter alphabet in ASCII order, consecutive ids sort after one
// another, so a bulk load appends to the right edge of the id index instead of touching a
// random B-tree page per document (at a million documents, a page read from the OS each).
std::string generateId() {
  static constexpr char kOrdered[] = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  static const std::string suffix = randomToken(9);
  static std::mutex mutex;
  static std::uint64_t last = 0;
  std::uint64_t value = 0;
  {
    std::lock_guard lock(mutex);
    value = last = std::max(last + 1, static_cast<std::uint64_t>(nowMillis()) << 20);
  }
  std::string out(11, '-');
  for (int i = 10; i >= 0; --i, value >>= 6) out[static_cast<std::size_t>(i)] = kOrdered[value & 63];
  return out + suffix;
}

int WriteResult::status() const {
  if (error) return error->status();
  if (outcome && outcome->result == "created") return 201;
  if (outcome && outcome->result == "not_found") return 404;
  return 200;
}

Index::Index(std::filesystem::path dir, std::string name, IndexSettings settings)
    : dir_(std::move(dir)), name_(std::move(name)), settings_(std::move(settings)) {}

std::string newIndexUuid() { return randomToken(22); }

void Index::markDeleted(std::function<void()> removed) {
  removed_ = std::move(removed);
  deleted_ = true;
}

Index::~Index() {
  shards_.clear();
  if (!deleted_) return;
  std::error_code error;
  std::filesystem::remove_all(dir_, error);
  if (error || !removed_) return;  // the catalog still says deleted: the next open retries
  try {
    removed_();
  } catch (...) {
  }
}

std::shared_ptr<Index> Index::create(const std::filesystem::path& dir, const std::string& name, const std::string& uuid,
                                     const nlohmann::json& settings, const nlohmann::json& mappings) {
  IndexSettings s;
  s.uuid = uuid;
  s.creationDate = nowMillis();
  if (!settings.is_null() && !settings.is_object()) {
    throw illegalArgument("[settings] must be an object, found [" + settings.dump() + "]");
  }
  // Nested and dotted forms mean the same setting ({"index":{"translog":{"durability":…}}}
  // is index.translog.durability), as Elasticsearch flattens them.
  std::vector<std::pair<std::string, const nlohmann::json*>> flat;
  flattenSettings(settings, "", flat);
  for (const auto& entry : flat) {
    const nlohmann::json* value = entry.second;
    const std::string k = entry.first.starts_with("index.") ? entry.first.substr(6) : entry.first;
    const auto text = [&v = *value] { return v.is_string() ? v.get<std::string>() : v.dump(); };
    if (k == "number_of_shards") {
      std::int64_t n = 0;
      if (value->is_number_integer()) n = value->get<std::int64_t>();
      else if (value->is_string()) n = std::atoll(value->get<std::string>().c_str());
      if (n < 1 || n > 64) {
        throw illegalArgument("Failed to parse value [" + text() + "] for setting [index.number_of_shards] must be >= 1 and <= 64");
      }
      s.numberOfShards = static_cast<int>(n);
    } else if (k == "translog.durability") {
      std::string lower = text();
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower != "request" && lower != "async") {
        throw illegalArgument("Failed to parse value [" + text() + "] for setting [index.translog.durability]: must be [request] or [async]");
      }
      s.syncEachRequest = lower == "request";
    } else if (k == "max_result_window" || k == "max_inner_result_window" || k == "mapping.total_fields.limit" ||
               k == "mapping.depth.limit") {
      // Integers (or their text), as Elasticsearch's int and long settings.
      std::int64_t n = -1;
      const std::string t = text();
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
      const std::int64_t min = k == "mapping.total_fields.limit" ? 0 : 1;
      // The mapping's depth is also the recursion depth of parsing it: bounded here.
      const std::int64_t max = k == "mapping.depth.limit" ? 1000 : INT32_MAX;
      if (t.empty() || ec != std::errc() || end != t.data() + t.size() || n < min || n > max) {
        throw illegalArgument("Failed to parse value [" + t + "] for setting [index." + k + "] must be >= " +
                              std::to_string(min) + " and <= " + std::to_string(max));
      }
      if (k == "mapping.depth.limit") s.mappingDepthLimit = static_cast<int>(n);
      else (k == "max_result_window" ? s.maxResultWindow : k == "max_inner_result_window" ? s.maxInnerResultWindow : s.totalFieldsLimit) = n;
    } else if (k == "number_of_replicas" || k == "refresh_interval") {
      // accepted; a single node has no replicas and writes are visible at once
    } else {
      throw illegalArgument("unknown setting [index." + k + "] please check that any required plugins are installed, or check the breaking changes documentation for removed settings");
    }
  }
  Mapping mapping = Mapping::fromJson(mappings, s.mappingDepthLimit);
  if (const auto total = static_cast<std::int64_t>(mapping.totalFields()); total > s.totalFieldsLimit) {
    throw totalFieldsExceeded(s.totalFieldsLimit, total);
  }
  std::filesystem::create_directories(dir);
  std::shared_ptr<Index> index(new Index(dir, name, s));
  index->mapping_ = mapping;
  const nlohmann::json settingsMeta = {{"number_of_shards", s.numberOfShards}, {"uuid", s.uuid},
                                       {"creation_date", s.creationDate}, {"name", name},
                                       {"translog_durability", s.syncEachRequest ? "request" : "async"},
                                       {"mapping_depth_limit", s.mappingDepthLimit},
                                       {"max_result_window", s.maxResultWindow},
                                       {"max_inner_result_window", s.maxInnerResultWindow},
                                       {"total_fields_limit", s.totalFieldsLimit}};
  for (int i = 0; i < s.numberOfShards; ++i) {
    auto shard = std::make_unique<Shard>(dir / ("shard-" + std::to_string(i) + ".sqlite"), i);
    shard->setSyncEachCommit(s.syncEachRequest);
    shard->setMeta("settings", settingsMeta);
    shard->setMeta("mapping", mappingSpec(mapping));
    index->shards_.push_back(std::move(shard));
  }
  return index;
}

std::shared_ptr<Index> Index::open(const std::filesystem::path& dir, const std::string& name) {
  auto first = std::make_unique<Shard>(dir / "shard-0.sqlite", 0);
  const auto meta = first->meta("settings");
  if (!meta.is_object()) throw std::runtime_error("index folder " + dir.string() + " has no settings in shard-0");
  IndexSettings s;
  s.numberOfShards = meta.value("number_of_shards", 1);
  s.uuid = meta.value("uuid", "");
  s.creationDate = meta.value("creation_date", std::int64_t{0});
  // Indices made before the setting existed sync each request, as new ones do by default.
  s.syncEachRequest = meta.value("translog_durability", "request") == "request";
  s.mappingDepthLimit = meta.value("mapping_depth_limit", kDefaultMappingDepthLimit);
  // Indices made before these settings existed have the defaults.
  s.maxResultWindow = meta.value("max_result_window", s.maxResultWindow);
  s.maxInnerResultWindow = meta.value("max_inner_result_window", s.maxInnerResultWindow);
  s.totalFieldsLimit = meta.value("total_fields_limit", s.totalFieldsLimit);
  std::shared_ptr<Index> index(new Index(dir, name, s));
  index->mapping_.setDepthLimit(s.mappingDepthLimit);
  index->shards_.push_back(std::move(first));
  for (int i = 1; i < s.numberOfShards; ++i) {
    index->shards_.push_back(std::make_unique<Shard>(dir / ("shard-" + std::to_string(i) + ".sqlite"), i));
  }
  for (auto& shard : index->shards_) shard->setSyncEachCommit(s.syncEachRequest);
  for (auto& shard : index->shards_) index->mapping_.merge(specFields(shard->meta("mapping")));
  return index;
}

Mapping Index::mapping() const {
  std::lock_guard lock(mappingMutex_);
  return mapping_;
}

nlohmann::json Index::settingsJson() const {
  nlohmann::json out = {{"index",
                         {{"number_of_shards", std::to_string(settings_.numberOfShards)},
                          {"number_of_replicas", "0"},
                          {"uuid", settings_.uuid},
                          {"creation_date", std::to_string(settings_.creationDate)},
                          {"provided_name", name_},
                          {"translog", {{"durability", settings_.syncEachRequest ? "request" : "async"}}},
                          {"max_result_window", std::to_string(settings_.maxResultWindow)},
                          {"max_inner_result_window", std::to_string(settings_.maxInnerResultWindow)},
                          {"mapping", {{"total_fields", {{"limit", std::to_string(settings_.totalFieldsLimit)}}}}},
                          {"version", {{"created", "8080099"}}}}}};
  // The depth limit only when set (existing clients compare this object's keys).
  if (settings_.mappingDepthLimit != kDefaultMappingDepthLimit) {
    out["index"]["mapping"]["depth"]["limit"] = std::to_string(settings_.mappingDepthLimit);
  }
  return out;
}

int Index::shardFor(const std::string& id) const {
  // FNV-1a: stable across runs and builds, unlike std::hash.
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : id) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<int>(hash % static_cast<std::uint64_t>(settings_.numberOfShards));
}

std::optional<StoredDocument> Index::get(const std::string& id) {
  // A committed read: a GET does not wait for a bulk request writing to the shard.
  return shards_[static_cast<std::size_t>(shardFor(id))]->getCommitted(id);
}

std::int64_t Index::count() {
  std::int64_t total = 0;
  for (auto& shard : shards_) total += shard->count();  // committed documents, beside any writer
  return total;
}

std::vector<IndexedValue> Index::extract(const nlohmann::json& source, const std::string& id, bool& mappingChanged) {
  std::map<std::string, FieldMapping> added;
  std::lock_guard lock(mappingMutex_);
  auto values = mapping_.extract(source, id, added);
  if (!added.empty()) {
    // Refused before the mapping grows: the document is not stored and no field is added.
    const auto adding = static_cast<std::int64_t>(mapping_.newFieldCount(added));
    if (static_cast<std::int64_t>(mapping_.totalFields()) + adding > settings_.totalFieldsLimit) {
      const EngineError cause = totalFieldsExceeded(settings_.totalFieldsLimit, adding);
      throw EngineError(400, "mapper_parsing_exception", std::string("failed to parse: ") + cause.what(),
                        {{"caused_by", cause.cause()}});
    }
    mapping_.merge(added);
    mappingChanged = true;
  }
  return values;
}

Index::Prepared Index::prepare(WriteOp& op) {
  Prepared out;
  try {
    if (op.source.is_null() && !op.rawSource.empty()) {
      op.source = parseBoundedJson(op.rawSource, op.maxNestingDepth);
      if (op.source.is_discarded() || !op.source.is_object()) {
        throw documentNotAnObject(op.line);
      }
    }
    out.values = extract(op.source, op.id, out.mappingChanged);
    // The text is what gets stored: the parsed tree is freed here, on the thread that
    // allocated it (a free from another thread contends for this thread's malloc arena).
    if (!op.rawSource.empty()) op.source = nullptr;
  } catch (const EngineError& error) {
    out.error = error;
  }
  return out;
}

void Index::persistMapping(Shard& shard) {
  nlohmann::json spec;
  {
    std::lock_guard lock(mappingMutex_);
    spec = mappingSpec(mapping_);
  }
  shard.setMeta("mapping", spec);
}

WriteResult Index::apply(Shard& shard, WriteOp& op, bool generated, Prepared& prepared) {
  WriteResult result{op.id, shard.number(), std::nullopt, std::nullopt};
  switch (op.kind) {
    case WriteOp::Kind::index:
    case WriteOp::Kind::create: {
      if (prepared.error) throw *prepared.error;
      if (prepared.mappingChanged) persistMapping(shard);
      const OpType type = generated ? OpType::generated : op.kind == WriteOp::Kind::create ? OpType::create : OpType::index;
      result.outcome = shard.put(op.id, op.rawSource.empty() ? op.source.dump() : op.rawSource, prepared.values, type,
                                 op.conditions);
      break;
    }
    case WriteOp::Kind::update: {
      auto existing = shard.get(op.id);
      nlohmann::json doc;
      if (existing) {
        doc = nlohmann::json::parse(existing->source);
        mergeDoc(doc, op.source);
      } else if (op.docAsUpsert) {
        doc = op.source;
      } else if (!op.upsert.is_null()) {
        doc = op.upsert;
      } else {
        throw EngineError(404, "document_missing_exception", "[" + op.id + "]: document missing",
                          {{"index", name_}, {"shard", std::to_string(shard.number())}, {"index_uuid", settings_.uuid}});
      }
      if (existing && doc == nlohmann::json::parse(existing->source)) {
        result.outcome = WriteOutcome{"noop", existing->version, existing->seqNo};
        break;
      }
      bool mappingChanged = false;
      auto values = extract(doc, op.id, mappingChanged);
      if (mappingChanged) persistMapping(shard);
      result.outcome = shard.put(op.id, doc.dump(), values, OpType::index, op.conditions);
      break;
    }
    case WriteOp::Kind::del: result.outcome = shard.remove(op.id, op.conditions); break;
  }
  return result;
}

std::vector<WriteResult> Index::write(std::vector<WriteOp> ops, const Written& written) {
  std::vector<WriteResult> results(ops.size());
  std::vector<std::vector<std::size_t>> byShard(shards_.size());
  std::vector<bool> generated(ops.size(), false);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].id.empty()) {
      ops[i].id = generateId();
      generated[i] = true;
    }
    byShard[static_cast<std::size_t>(shardFor(ops[i].id))].push_back(i);
  }
  for (std::size_t s = 0; s < shards_.size(); ++s) {
    const auto& list = byShard[s];
    if (list.empty()) continue;
    auto& shard = *shards_[s];
    std::lock_guard lock(shard.mutex());
    // Documents to index are parsed and mapped ahead, on a helper thread for a large
    // request, while this thread writes. An update reads the stored document, which an
    // earlier item may have written: it is mapped here, in order (the helper waits).
    std::vector<Prepared> prepared(list.size());
    const auto writesDocument = [&](std::size_t k) {
      const auto kind = ops[list[k]].kind;
      return kind == WriteOp::Kind::index || kind == WriteOp::Kind::create;
    };
    const auto prepareOne = [&](std::size_t k) {
      if (writesDocument(k)) prepared[k] = prepare(ops[list[k]]);
    };
    std::optional<PrepareAhead> ahead;
    if (list.size() >= kPrepareAheadMin) {
      std::function<void(std::size_t)> finish;
      if (written) finish = [&](std::size_t k) { written(list[k], results[list[k]]); };
      ahead.emplace(list.size(), prepareOne, [&](std::size_t k) { return ops[list[k]].kind == WriteOp::Kind::update; },
                    [&shard] { shard.checkpointAside(); }, std::move(finish));
    }
    shard.begin();
    try {
      for (std::size_t k = 0; k < list.size(); ++k) {
        const std::size_t i = list[k];
        if (ahead) ahead->waitReady(k);
        else prepareOne(k);
        try {
          results[i] = apply(shard, ops[i], generated[i], prepared[k]);
        } catch (const EngineError& error) {
          results[i] = WriteResult{ops[i].id, static_cast<int>(s), std::nullopt, error};
        }
        prepared[k] = Prepared{};
        if (ahead) ahead->consumed(k);
      }
      shard.commit();
      // The helper finishes its after-work (written) while the commit syncs; wait for it.
      if (ahead) ahead->drain();
      ahead.reset();
    } catch (...) {
      ahead.reset();
      shard.rollback();
      throw;
    }
  }
  return results;
}

}  // namespace orrery::data
