#include "es_routes.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <orrery/http/error.hpp>

#include "bulk.hpp"
#include "errors.hpp"
#include "json_params.hpp"
#include "search.hpp"

namespace orrery::data {
namespace {

using http::Request;
using http::Response;
using json = nlohmann::json;
using Result = std::pair<int, json>;

// Elasticsearch clients (the official JavaScript client among them) check this header on
// successful responses to know they talk to Elasticsearch.
Response withProduct(Response response) {
  response.headers.set("X-Elastic-Product", "Elasticsearch");
  return response;
}

Response esJson(int status, const json& body) {
  return withProduct(Response::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace)));
}

Response esError(const EngineError& error) { return esJson(error.status(), error.body()); }

// On `pool`: reads and searches on `search`, index writes on `write`. A full queue
// escapes as RejectedExecution, which the host answers 429 es_rejected_execution_exception.
template <class Work>
Task<Response> run(Executors& executors, Pool pool, Work work) {
  try {
    Result result = co_await executors.blocking(std::move(work), pool);
    if (result.second.is_null()) co_return withProduct(Response{result.first, {}, {}});
    co_return esJson(result.first, result.second);
  } catch (const EngineError& error) {
    co_return esError(error);
  } catch (const nlohmann::json::exception& error) {
    // The safety net behind the typed reads (json_params.hpp): a value of the wrong type
    // that some read still took with get<T>() is the client's mistake, a 400, not a 500.
    co_return esError(jsonValueError(error));
  }
}

// Nesting past `maxDepth` is refused here, before anything walks or stores the body.
json parseBody(const std::string& body, int maxDepth) {
  if (body.empty()) return nullptr;
  json parsed = parseBoundedJson(body, maxDepth);
  if (parsed.is_discarded()) throw parsingError("request body is not valid JSON");
  return parsed;
}

// `refresh` accepts true, false, wait_for (or empty, meaning true); writes are committed
// and visible before the response either way.
bool refreshParam(const Request& request) {
  const auto value = request.queryParam("refresh");
  if (!value) return false;
  if (value->empty() || *value == "true") return true;
  if (*value == "false" || *value == "wait_for") return false;
  throw illegalArgument("[refresh] value must be true, false or wait_for, found [" + std::string(*value) + "]");
}

std::optional<std::int64_t> integerParam(const Request& request, std::string_view name) {
  const auto value = request.queryParam(name);
  if (!value) return std::nullopt;
  try {
    std::size_t used = 0;
    const auto n = std::stoll(std::string(*value), &used);
    if (used == value->size()) return n;
  } catch (...) {
  }
  throw illegalArgument("Failed to parse [" + std::string(name) + "] value [" + std::string(*value) + "] as a number");
}

json shardsJson(int total) { return {{"total", total}, {"successful", total}, {"failed", 0}}; }

Result writeOne(Engine& engine, const std::string& indexName, WriteOp op, bool forced) {
  auto index = op.kind == WriteOp::Kind::del ? engine.index(indexName) : engine.indexForWrite(indexName);
  auto results = index->write({std::move(op)});
  const auto& result = results.front();
  if (result.error) throw *result.error;
  return {result.status(), writeResultJson(indexName, result, forced)};
}

WriteOp writeOp(const Request& request, WriteOp::Kind kind, std::string id, int maxDepth) {
  WriteOp op;
  op.kind = kind;
  op.id = std::move(id);
  op.conditions.ifSeqNo = integerParam(request, "if_seq_no");
  op.conditions.ifPrimaryTerm = integerParam(request, "if_primary_term");
  if (kind != WriteOp::Kind::del) {
    op.source = parseBody(request.body, maxDepth);
    if (!op.source.is_object()) throw parsingError("request body is required and must be a JSON object");
  }
  return op;
}

std::string formatBytes(std::uintmax_t bytes) {
  char buffer[32];
  if (bytes >= 1024 * 1024) std::snprintf(buffer, sizeof buffer, "%.1fmb", bytes / 1048576.0);
  else if (bytes >= 1024) std::snprintf(buffer, sizeof buffer, "%.1fkb", bytes / 1024.0);
  else std::snprintf(buffer, sizeof buffer, "%jub", bytes);
  return buffer;
}

// The shard files of an index folder (a broken index's shard count is not readable).
int shardFileCount(const std::filesystem::path& dir) {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("shard-") && name.ends_with(".sqlite")) ++count;
  }
  return count;
}

std::uintmax_t folderBytes(const std::filesystem::path& dir) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

// A write route's handler that holds its body's bytes against the indexing pressure while
// it runs: past the limit it answers 429 at once and does no work.
template <class Handler>
http::Handler pressured(std::shared_ptr<EsApi> api, Handler handler) {
  return [api, handler](Request& request) -> Task<Response> {
    IndexingPressure::Operation operation;
    std::optional<Response> rejected;
    try {
      operation = api->indexingPressure->markCoordinatingOperationStarted(request.body.size());
    } catch (const EngineError& error) {
      rejected = esError(error);
    }
    if (rejected) co_return std::move(*rejected);
    co_return co_await handler(request);
  };
}

}  // namespace

void registerEsRoutes(http::Router& router, std::shared_ptr<EsApi> api) {
  Executors& ex = *api->executors;
  const http::RouteOptions large{.auth = http::Auth::required, .maxBodyBytes = 100 * 1024 * 1024};

  router.get("/", [api](Request&) -> Task<Response> {
    co_return esJson(200, json{{"name", api->clusterName},
                               {"cluster_name", api->clusterName},
                               {"cluster_uuid", api->clusterUuid},
                               {"version",
                                {{"number", "8.11.0"},
                                 {"build_flavor", "default"},
                                 {"build_type", "orrery"},
                                 {"build_hash", "orrery"},
                                 {"build_date", "2026-01-01T00:00:00.000Z"},
                                 {"build_snapshot", false},
                                 {"lucene_version", "9.8.0"},
                                 {"minimum_wire_compatibility_version", "7.17.0"},
                                 {"minimum_index_compatibility_version", "7.0.0"}}},
                               {"tagline", "You Know, for Search"}});
  });

  router.get("/_cluster/health", [api, &ex](Request&) -> Task<Response> {
    // On the blocking pool: the first use of the engine opens its index files.
    auto work = [api]() -> Result {
      int active = 0, unassigned = 0;
      for (const auto& index : api->engine->all()) active += index->settings().numberOfShards;
      for (const auto& [name, why] : api->engine->broken()) unassigned += shardFileCount(api->engine->folder(name));
      const int total = active + unassigned;
      return {200, json{{"cluster_name", api->clusterName}, {"status", unassigned == 0 ? "green" : "red"},
                        {"timed_out", false}, {"number_of_nodes", 1}, {"number_of_data_nodes", 1},
                        {"active_primary_shards", active}, {"active_shards", active}, {"relocating_shards", 0},
                        {"initializing_shards", 0}, {"unassigned_shards", unassigned},
                        {"active_shards_percent_as_number", total == 0 ? 100.0 : 100.0 * active / total}}};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  });

  router.put("/{index}", [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, name = request.param("index"), body = request.body]() -> Result {
      api->engine->createIndex(name, parseBody(body, api->limits.json));
      return {200, json{{"acknowledged", true}, {"shards_acknowledged", true}, {"index", name}}};
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  });

  router.get("/{index}", [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, expression = request.param("index")]() -> Result {
      json out = json::object();
      for (const auto& index : api->engine->resolve(expression)) {
        out[index->name()] = {{"aliases", json::object()}, {"mappings", index->mapping().toJson()}, {"settings", index->settingsJson()}};
      }
      return {200, out};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  });

  router.route(http::Method::head, "/{index}", [api, &ex](Request& request) -> Task<Response> {
    // Resolving opens index files: on the search pool, never on the I/O thread.
    auto work = [api, expression = request.param("index")]() -> Result {
      bool found = true;
      try {
        found = !api->engine->resolve(expression).empty();
      } catch (const EngineError&) {
        found = false;
      }
      return {found ? 200 : 404, nullptr};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  });

  router.del("/{index}", [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, expression = request.param("index")]() -> Result {
      api->engine->deleteIndex(expression);
      return {200, json{{"acknowledged", true}}};
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  });

  router.get("/{index}/_mapping", [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, expression = request.param("index")]() -> Result {
      json out = json::object();
      for (const auto& index : api->engine->resolve(expression)) out[index->name()] = {{"mappings", index->mapping().toJson()}};
      return {200, out};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  });

  // Documents.
  const auto indexDoc = [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const bool forced = refreshParam(request);
      const auto opType = request.queryParam("op_type");
      if (opType && *opType != "index" && *opType != "create") {
        throw illegalArgument("opType must be 'create' or 'index', found: [" + std::string(*opType) + "]");
      }
      const auto kind = opType && *opType == "create" ? WriteOp::Kind::create : WriteOp::Kind::index;
      return writeOne(*api->engine, request.param("index"), writeOp(request, kind, request.param("id"), api->limits.json), forced);
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  };
  router.put("/{index}/_doc/{id}", pressured(api, indexDoc));
  router.post("/{index}/_doc/{id}", pressured(api, indexDoc));
  const auto createDoc = [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const bool forced = refreshParam(request);
      return writeOne(*api->engine, request.param("index"), writeOp(request, WriteOp::Kind::create, request.param("id"), api->limits.json), forced);
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  };
  router.put("/{index}/_create/{id}", pressured(api, createDoc));
  router.post("/{index}/_create/{id}", pressured(api, createDoc));
  router.post("/{index}/_doc", pressured(api, [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const bool forced = refreshParam(request);
      return writeOne(*api->engine, request.param("index"), writeOp(request, WriteOp::Kind::index, generateId(), api->limits.json), forced);
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  }));
  router.get("/{index}/_doc/{id}", [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const auto name = request.param("index");
      const auto id = request.param("id");
      auto doc = api->engine->index(name)->get(id);
      if (!doc) return {404, json{{"_index", name}, {"_id", id}, {"found", false}}};
      return {200, json{{"_index", name}, {"_id", id}, {"_version", doc->version}, {"_seq_no", doc->seqNo},
                        {"_primary_term", 1}, {"found", true}, {"_source", json::parse(doc->source)}}};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  });
  router.del("/{index}/_doc/{id}", [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const bool forced = refreshParam(request);
      return writeOne(*api->engine, request.param("index"), writeOp(request, WriteOp::Kind::del, request.param("id"), api->limits.json), forced);
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  });
  router.post("/{index}/_update/{id}", pressured(api, [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const bool forced = refreshParam(request);
      const json body = parseBody(request.body, api->limits.json);
      if (!body.is_object() || !body.contains("doc") || !body["doc"].is_object()) {
        throw EngineError(400, "action_request_validation_exception", "Validation Failed: 1: script or doc is missing;");
      }
      WriteOp op;
      op.kind = WriteOp::Kind::update;
      op.id = request.param("id");
      op.source = body["doc"];
      if (auto it = body.find("doc_as_upsert"); it != body.end()) op.docAsUpsert = readBoolean(*it, "UpdateRequest", "doc_as_upsert");
      if (body.contains("upsert")) op.upsert = body["upsert"];
      op.conditions.ifSeqNo = integerParam(request, "if_seq_no");
      op.conditions.ifPrimaryTerm = integerParam(request, "if_primary_term");
      return writeOne(*api->engine, request.param("index"), std::move(op), forced);
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  }));

  // Bulk.
  const auto bulk = [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const bool forced = refreshParam(request);
      const auto it = request.params.find("index");
      auto items = parseBulk(request.body, it == request.params.end() ? std::string() : it->second, api->limits.json);
      return {200, executeBulk(*api->engine, std::move(items), forced)};
    };
    co_return co_await run(ex, Pool::write, std::move(work));
  };
  router.post("/_bulk", pressured(api, bulk), large);
  router.put("/_bulk", pressured(api, bulk), large);
  router.post("/{index}/_bulk", pressured(api, bulk), large);
  router.put("/{index}/_bulk", pressured(api, bulk), large);

  // Refresh: every acknowledged write is already committed and visible.
  const auto refresh = [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const auto it = request.params.find("index");
      const auto indices = api->engine->resolve(it == request.params.end() ? "_all" : it->second);
      int shards = 0;
      for (const auto& index : indices) shards += index->settings().numberOfShards;
      return {200, json{{"_shards", shardsJson(shards)}}};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  };
  router.post("/_refresh", refresh);
  router.get("/_refresh", refresh);
  router.post("/{index}/_refresh", refresh);
  router.get("/{index}/_refresh", refresh);

  // Search, through the search service's `local` strategy: /es is the embedded engine's
  // surface, so documents written through it are searched here even when the default
  // strategy is a remote cluster.
  const auto search = [api](Request& request) -> Task<Response> {
    const auto it = request.params.find("index");
    SearchOptions options;
    options.strategy = "local";
    options.user = request.user.username;
    options.parameters = request.query;
    // A client that goes away stops its search (its shards' SQLite statements).
    if (api->http != nullptr) options.cancellation = api->http->clientGone(request);
    std::string expression = it == request.params.end() ? std::string("_all") : it->second;
    auto outcome = co_await api->search->search(std::move(expression), request.body, std::move(options), ProgressCallback{});
    co_return withProduct(Response::json(outcome.status, std::move(outcome.body)));
  };
  router.get("/_search", search, large);
  router.post("/_search", search, large);
  router.get("/{index}/_search", search, large);
  router.post("/{index}/_search", search, large);

  const auto count = [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const auto it = request.params.find("index");
      const auto indices = api->engine->resolve(it == request.params.end() ? "_all" : it->second);
      Query query;
      const json body = parseBody(request.body, api->limits.json);
      if (body.is_object()) {
        for (const auto& [key, value] : body.items()) {
          if (key == "query") query = parseQuery(value, api->limits.query);
          else throw parsingError("request does not support [" + key + "]");
        }
      }
      if (auto q = request.queryParam("q")) {
        SearchRequest uri;
        applySearchParameters(uri, request.query, api->limits);
        query = uri.query;
      }
      int shards = 0;
      for (const auto& index : indices) shards += index->settings().numberOfShards;
      return {200, json{{"count", countIndices(indices, query)}, {"_shards", {{"total", shards}, {"successful", shards}, {"skipped", 0}, {"failed", 0}}}}};
    };
    co_return co_await run(ex, Pool::search, std::move(work));
  };
  router.get("/_count", count);
  router.post("/_count", count);
  router.get("/{index}/_count", count);
  router.post("/{index}/_count", count);

  const auto cat = [api, &ex](Request& request) -> Task<Response> {
    auto work = [api, &request]() -> Result {
      const auto it = request.params.find("index");
      // Without a name: every index, hidden ones included, as Elasticsearch lists them.
      const std::string expression = it == request.params.end() ? "*,.*" : it->second;
      const auto broken = api->engine->broken();
      std::map<std::string, json> byName;
      for (const auto& name : api->engine->names(expression)) {
        const auto dir = api->engine->folder(name);
        const auto bytes = formatBytes(folderBytes(dir));
        if (auto bad = broken.find(name); bad != broken.end()) {
          // Listed red rather than failing the listing: the operator sees which one to fix.
          byName[name] = {{"health", "red"}, {"status", "open"}, {"index", name}, {"uuid", ""},
                          {"pri", std::to_string(shardFileCount(dir))}, {"rep", "0"}, {"docs.count", ""},
                          {"docs.deleted", ""}, {"store.size", bytes}, {"pri.store.size", bytes}};
          continue;
        }
        const auto index = api->engine->findIndex(name);
        if (!index) continue;  // deleted meanwhile
        byName[name] = {{"health", "green"}, {"status", "open"}, {"index", name}, {"uuid", index->settings().uuid},
                        {"pri", std::to_string(index->settings().numberOfShards)}, {"rep", "0"},
                        {"docs.count", std::to_string(index->count())}, {"docs.deleted", "0"},
                        {"store.size", bytes}, {"pri.store.size", bytes}};
      }
      json rows = json::array();
      for (auto& [name, row] : byName) rows.push_back(std::move(row));
      return {200, rows};
    };
    Response response = co_await run(ex, Pool::search, std::move(work));
    if (request.queryParam("format") == std::optional<std::string_view>("json") || response.status != 200) co_return response;
    // The text table operators read with curl.
    std::string text;
    for (const auto& row : json::parse(response.body)) {
      for (const char* key : {"health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"}) {
        text += row[key].get<std::string>();
        text += ' ';
      }
      text.back() = '\n';
    }
    co_return withProduct(Response::text(200, std::move(text)));
  };
  router.get("/_cat/indices", cat);
  router.get("/_cat/indices/{index}", cat);
}

}  // namespace orrery::data
