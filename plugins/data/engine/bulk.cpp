#include "bulk.hpp"

#include <chrono>
#include <map>

#include "json_params.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

EngineError malformed(std::size_t line, const std::string& why) {
  return illegalArgument("Malformed action/metadata line [" + std::to_string(line) + "], " + why);
}

std::optional<std::int64_t> integerField(const json& meta, const char* key, std::size_t line) {
  auto it = meta.find(key);
  if (it == meta.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  throw malformed(line, std::string("[") + key + "] must be an integer");
}

}  // namespace

std::vector<BulkItem> parseBulk(std::string_view body, const std::string& defaultIndex, int maxNestingDepth) {
  std::vector<BulkItem> items;
  std::size_t pos = 0, lineNo = 0;
  const auto nextLine = [&](std::string_view& out) {
    while (pos < body.size()) {
      auto end = body.find('\n', pos);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(pos, end - pos);
      pos = end + 1;
      ++lineNo;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      out = line;
      return true;
    }
    return false;
  };
  std::string_view line;
  while (nextLine(line)) {
    const std::size_t actionLine = lineNo;
    json action = parseBoundedJson(line, maxNestingDepth);
    if (action.is_discarded() || !action.is_object()) {
      throw malformed(actionLine, "expected START_OBJECT or END_OBJECT but found [" +
                                      std::string(action.is_discarded() ? "malformed JSON" : action.type_name()) + "]");
    }
    if (action.size() != 1 || !action.begin().value().is_object()) {
      throw malformed(actionLine, "expected a single action object such as {\"index\":{...}}");
    }
    BulkItem item;
    item.action = action.begin().key();
    const json& meta = action.begin().value();
    if (item.action != "index" && item.action != "create" && item.action != "update" && item.action != "delete") {
      throw malformed(actionLine, "expected one of [create, delete, index, update] but found [" + item.action + "]");
    }
    for (const auto& [key, value] : meta.items()) {
      if (key != "_index" && key != "_id" && key != "if_seq_no" && key != "if_primary_term" && key != "routing" &&
          key != "_source" && key != "retry_on_conflict" && key != "require_alias" && key != "pipeline" &&
          key != "dynamic_templates" && key != "version" && key != "version_type") {
        throw illegalArgument("Action/metadata line [" + std::to_string(actionLine) + "] contains an unknown parameter [" + key + "]");
      }
    }
    item.index = meta.contains("_index") && meta["_index"].is_string() ? meta["_index"].get<std::string>() : defaultIndex;
    if (item.index.empty()) {
      throw EngineError(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
    }
    if (meta.contains("_id")) {
      if (!meta["_id"].is_string() && !meta["_id"].is_number()) throw malformed(actionLine, "[_id] must be a string");
      item.op.id = meta["_id"].is_string() ? meta["_id"].get<std::string>() : meta["_id"].dump();
    }
    item.op.conditions.ifSeqNo = integerField(meta, "if_seq_no", actionLine);
    item.op.conditions.ifPrimaryTerm = integerField(meta, "if_primary_term", actionLine);
    if (item.action == "delete") {
      item.op.kind = WriteOp::Kind::del;
      if (item.op.id.empty()) {
        throw EngineError(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
      }
      items.push_back(std::move(item));
      continue;
    }
    std::string_view source;
    if (!nextLine(source)) {
      throw illegalArgument("The bulk request must be terminated by a newline [\\n]: the [" + item.action +
                            "] on line [" + std::to_string(actionLine) + "] has no document");
    }
    item.op.kind = item.action == "index" ? WriteOp::Kind::index : item.action == "create" ? WriteOp::Kind::create : WriteOp::Kind::update;
    if (item.action != "update") {
      // Parsed where it is written (Index::write), on a helper thread while another
      // document is written; stored as sent (Elasticsearch keeps _source verbatim).
      item.op.rawSource = std::string(source);
      item.op.line = lineNo;
      item.op.maxNestingDepth = maxNestingDepth;
      items.push_back(std::move(item));
      continue;
    }
    json doc;
    try {
      doc = parseBoundedJson(source, maxNestingDepth);
    } catch (const EngineError& tooDeep) {
      item.error = tooDeep;  // this item's failure; the others still run
      items.push_back(std::move(item));
      continue;
    }
    if (doc.is_discarded() || !doc.is_object()) {
      item.error = documentNotAnObject(lineNo);
    } else {
      if (item.op.id.empty()) {
        item.error = EngineError(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
      } else if (!doc.contains("doc") || !doc["doc"].is_object()) {
        item.error = EngineError(400, "action_request_validation_exception",
                                 "Validation Failed: 1: script or doc is missing;");
      } else {
        try {
          item.op.source = doc["doc"];
          if (auto it = doc.find("doc_as_upsert"); it != doc.end()) {
            item.op.docAsUpsert = readBoolean(*it, "UpdateRequest", "doc_as_upsert");
          }
          if (doc.contains("upsert")) item.op.upsert = doc["upsert"];
        } catch (const EngineError& error) {
          item.error = error;  // this item fails; the rest of the request goes on
        }
      }
    }
    items.push_back(std::move(item));
  }
  return items;
}

json writeResultJson(const std::string& index, const WriteResult& result, bool forcedRefresh) {
  json out = {{"_index", index}, {"_id", result.id}};
  if (result.error) {
    out["status"] = result.error->status();
    json cause = result.error->cause();
    if (!cause.contains("index")) cause["index"] = index;
    out["error"] = cause;
    return out;
  }
  out["_version"] = result.outcome->version;
  out["result"] = result.outcome->result;
  if (forcedRefresh) out["forced_refresh"] = true;
  out["_shards"] = {{"total", 1}, {"successful", result.outcome->result == "noop" ? 0 : 1}, {"failed", 0}};
  out["_seq_no"] = result.outcome->seqNo;
  out["_primary_term"] = 1;
  out["status"] = result.status();
  return out;
}

json executeBulk(Engine& engine, std::vector<BulkItem> items, bool forcedRefresh) {
  const auto start = std::chrono::steady_clock::now();
  // Each item's response, built by move (an initializer list would copy it): by the
  // write's helper thread as results come in, or below for the rest.
  std::vector<json> rendered(items.size());
  const auto render = [&](std::size_t i, const WriteResult& result) {
    json item = json::object();
    item[items[i].action] = writeResultJson(items[i].index, result, forcedRefresh);
    rendered[i] = std::move(item);
  };
  std::vector<WriteResult> results(items.size());
  std::map<std::string, std::vector<std::size_t>> byIndex;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].error) {
      results[i] = WriteResult{items[i].op.id, 0, std::nullopt, items[i].error};
    } else {
      byIndex[items[i].index].push_back(i);
    }
  }
  for (auto& [name, positions] : byIndex) {
    std::shared_ptr<Index> index;
    try {
      index = engine.indexForWrite(name);
    } catch (const EngineError& error) {
      for (auto i : positions) results[i] = WriteResult{items[i].op.id, 0, std::nullopt, error};
      continue;
    }
    std::vector<WriteOp> ops;
    for (auto i : positions) ops.push_back(std::move(items[i].op));
    // A named reference: clang 14 cannot capture a structured binding.
    const std::vector<std::size_t>& at = positions;
    auto written = index->write(std::move(ops), [&](std::size_t k, const WriteResult& result) { render(at[k], result); });
    for (std::size_t k = 0; k < positions.size(); ++k) results[positions[k]] = std::move(written[k]);
  }
  json list = json::array();
  list.get_ref<json::array_t&>().reserve(items.size());
  bool errors = false;
  for (std::size_t i = 0; i < items.size(); ++i) {
    errors = errors || results[i].error.has_value();
    if (rendered[i].is_null()) render(i, results[i]);
    list.push_back(std::move(rendered[i]));
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  json out = json::object();
  out["took"] = took;
  out["errors"] = errors;
  out["items"] = std::move(list);
  return out;
}

}  // namespace orrery::data
