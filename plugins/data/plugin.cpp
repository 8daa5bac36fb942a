// The bundled `data` plugin: the search service (strategies by name, the `local`
// embedded engine as the default) and the Elasticsearch-compatible API under the host's
// Elasticsearch mount, the remote strategy `elasticsearch` when a cluster is configured,
// and `POST /internal/search/{strategy}`. The engine lives in engine/, the APIs in api/,
// the service in search/, the remote cluster's client in remote/; this file only wires
// them to the host.
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <orrery/plugin.hpp>
#include <random>
#include <set>
#include <stdexcept>

#include "cluster_client.hpp"
#include "cluster_config.hpp"
#include "cluster_gateway.hpp"
#include "es_routes.hpp"
#include "local_strategy.hpp"
#include "remote_strategy.hpp"
#include "search_routes.hpp"
#include "search_service.hpp"

namespace orrery::data {
namespace {

using namespace std::chrono_literals;

class DataPlugin final : public Plugin {
 public:
  static void describeConfig(ConfigSchema& schema) {
    schema.string("search.defaultStrategy", "local", {"local", "elasticsearch"}, "The strategy searches use unless they name one")
        .integer("search.max_buckets", 65'536, {.min = 1, .max = 2'147'483'647},
                 "Buckets one search's aggregations may make, per shard and in the response (Elasticsearch's search.max_buckets)")
        .string("local.path", "", {}, "Folder of the embedded engine's indices; empty means <path.data>/indices")
        .boolean("local.autoCreateIndex", true,
                 "Elasticsearch's action.auto_create_index: a write to a missing index creates it")
        .stringList("local.autoCreateIndexPatterns", {},
                    "When set, the names auto-creation may create: the first matching pattern decides, "
                    "+pattern allows, -pattern forbids, none matching forbids (as action.auto_create_index's list)")
        .integer("local.maxIndices", 1000, {.min = 1, .max = 1000000},
                 "Indices the embedded engine holds at most; creating more is refused (each shard keeps files open)")
        .stringList("elasticsearch.hosts", {}, "Node URLs of a remote cluster, http:// or https://")
        .string("elasticsearch.username", "", {}, "Basic authentication user for the remote cluster")
        .string("elasticsearch.password", "", {}, "Basic authentication password for the remote cluster")
        .string("elasticsearch.apiKey", "", {}, "API key (the encoded id:key form) for the remote cluster")
        .string("elasticsearch.ssl.certificateAuthority", "", {}, "PEM file of the CA for https hosts")
        .duration("elasticsearch.requestTimeout", 30s, {.min = 1ms}, "Time limit of one attempt on one node of the remote cluster")
        .integer("elasticsearch.maxRetries", 3, {.min = 0, .max = 100},
                 "Further attempts after the first, each on another node (as the Elasticsearch client's maxRetries)")
        .boolean("elasticsearch.retryOnTimeout", false, "Retry an attempt that reached a node and timed out on another node")
        .duration("elasticsearch.deadNodeCooldown", 5s, {.min = 0ms, .max = 24h},
                  "How long a node that failed is skipped; doubles per consecutive failure; 0 never skips")
        .duration("elasticsearch.deadNodeCooldownMax", 5min, {.min = 0ms, .max = 24h},
                  "The longest a failed node is skipped")
        .bytes("indexing_pressure.memory.limit", 64 * 1024 * 1024, {.min = 1},
               "Bytes of write requests (_bulk, _doc, _create, _update) indexed at once; past it 429 "
               "es_rejected_execution_exception (Elasticsearch's indexing_pressure.memory.limit)")
        // Depth limits (depth_limits.hpp). The maxima keep a configured limit within
        // what the recursive code below them can take.
        .integer("json.maxNestingDepth", kMaxJsonNestingDepth, {.min = 1, .max = 10'000},
                 "How deeply arrays and objects may nest in a request body or document under /es and /internal/search")
        .integer("indices.query.bool.max_nested_depth", kDefaultMaxQueryDepth, {.min = 1, .max = 200},
                 "How deeply queries may nest (Elasticsearch's setting; query_string groups count too)")
        .integer("search.maxAggregationDepth", kDefaultMaxAggregationDepth, {.min = 1, .max = 100},
                 "How deeply sub-aggregations may nest");
  }

  static DepthLimits depthLimits(const PluginConfig& config) {
    return {static_cast<int>(config.getInt("json.maxNestingDepth")),
            static_cast<int>(config.getInt("indices.query.bool.max_nested_depth")),
            static_cast<int>(config.getInt("search.maxAggregationDepth"))};
  }

  void setup(SetupContext& ctx) override {
    const auto& config = ctx.config();
    const auto defaultStrategy = config.getString("search.defaultStrategy");
    // Refused at setup with the key named, rather than failing (or silently searching
    // somewhere else) at the first search.
    ClusterConfig cluster;
    cluster.hosts = config.getStringList("elasticsearch.hosts");
    cluster.username = config.getString("elasticsearch.username");
    cluster.password = config.getString("elasticsearch.password");
    cluster.apiKey = config.getString("elasticsearch.apiKey");
    cluster.certificateAuthority = config.getString("elasticsearch.ssl.certificateAuthority");
    cluster.requestTimeout = config.getDuration("elasticsearch.requestTimeout");
    cluster.maxRetries = static_cast<int>(config.getInt("elasticsearch.maxRetries"));
    cluster.retryOnTimeout = config.getBool("elasticsearch.retryOnTimeout");
    cluster.deadNodeCooldown = config.getDuration("elasticsearch.deadNodeCooldown");
    cluster.deadNodeCooldownMax = config.getDuration("elasticsearch.deadNodeCooldownMax");
    cluster = validateClusterConfig(std::move(cluster), "data.elasticsearch");
    checkDefaultStrategy(defaultStrategy, cluster, "data.search.defaultStrategy", "data.elasticsearch.hosts");
    const auto configured = config.getString("local.path");
    std::filesystem::path path = configured.empty() ? ctx.dataPath() / "indices" : std::filesystem::path(configured);
    if (path.is_relative()) path = ctx.dataPath() / path;
    EngineOptions engineOptions;
    engineOptions.autoCreate = config.getBool("local.autoCreateIndex");
    engineOptions.autoCreatePatterns = config.getStringList("local.autoCreateIndexPatterns");
    for (const auto& pattern : engineOptions.autoCreatePatterns) {
      if (pattern.empty() || pattern == "+" || pattern == "-") {
        throw std::invalid_argument("data.local.autoCreateIndexPatterns: [" + pattern +
                                 "] must be an index name or pattern, optionally after + or -");
      }
    }
    engineOptions.maxIndices = static_cast<std::size_t>(config.getInt("local.maxIndices"));
    engineOptions.maxBuckets = config.getInt("search.max_buckets");
    auto engine = std::make_shared<Engine>(path, std::move(engineOptions));
    service_ = std::make_shared<SearchService>(ctx.executors(), defaultStrategy, &ctx.lifecycle());
    const auto limits = depthLimits(config);
    service_->registerStrategy("local", std::make_shared<LocalStrategy>(engine, ctx.executors(), limits));
    if (!cluster.hosts.empty()) {
      std::string nodes;
      for (const auto& host : cluster.hosts) nodes.append(nodes.empty() ? "" : ", ").append(host);
      auto client = std::make_shared<ClusterClient>(std::move(cluster));
      service_->registerStrategy("elasticsearch", std::make_shared<RemoteStrategy>(client, ctx.executors(), ctx.stopToken()));
      // Async search passes the cluster's own _async_search through the same client.
      service_->registerRemoteCluster("elasticsearch", std::make_shared<ClusterGateway>(client, ctx.executors()));
      ctx.logger().info("search strategy elasticsearch: remote cluster at " + nodes);
    }

    auto api = std::make_shared<EsApi>();
    api->engine = engine;
    api->search = service_;
    api->executors = &ctx.executors();
    api->indexingPressure =
        std::make_shared<IndexingPressure>(static_cast<std::uint64_t>(config.getBytes("indexing_pressure.memory.limit")));
    api->clusterUuid = clusterUuid(path);
    api->limits = limits;
    registerEsRoutes(ctx.http().elasticsearchRouter(), api);
    registerSearchRoutes(ctx.http(), service_, ctx.executors(), limits.json);
    ctx.expose<SearchSetup>(service_);
    // The engine opens its index files on first use, on the blocking pool: setup touches
    // none. start() makes that first use, and the status follows what it finds.
    std::string summary = "embedded engine at ";
    summary += path.string();
    ctx.status().report(ServiceLevel::available, summary);
    gate_->reporter = &ctx.status();
    gate_->logger = &ctx.logger();
    engine->onBrokenChanged([gate = gate_, summary](const std::map<std::string, std::string>& broken) {
      std::lock_guard lock(gate->mutex);
      if (!gate->reporter) return;
      if (broken.empty()) {
        gate->reporter->report(ServiceLevel::available, summary);
        return;
      }
      std::string names;
      for (const auto& [name, why] : broken) names.append(names.empty() ? "" : ", ").append(name);
      gate->reporter->report(ServiceLevel::degraded, summary + "; indices that did not open: [" + names + "]");
      for (const auto& [name, why] : broken) {
        if (!gate->logged.insert(name).second) continue;  // once per index, not at every change
        gate->logger->error("index [" + name + "] did not open and is not served: " + why +
                            " (its files are left as they are; DELETE the index to remove them)");
      }
    });
    engine_ = engine;
    ctx.logger().info("embedded search engine at " + path.string() + " serving under " + ctx.http().elasticsearchMount());
  }

  void start(StartContext& ctx) override {
    ctx.expose<SearchStart>(service_);
    // Opens the index files now, off the lifecycle thread, so that a broken one shows in
    // the status before a request meets it. A folder that cannot be read makes the
    // engine unavailable until a later use can read it.
    ctx.executors().runBlocking([engine = engine_] { engine->broken(); },
                                [gate = gate_, path = engine_->root()](Outcome<void>& outcome) {
                                  if (outcome.ok()) return;
                                  std::string why = "unknown error";
                                  try {
                                    outcome.get();
                                  } catch (const std::exception& error) {
                                    why = error.what();
                                  }
                                  std::lock_guard lock(gate->mutex);
                                  if (!gate->reporter) return;
                                  gate->reporter->report(ServiceLevel::unavailable,
                                                         "cannot read the index folder " + path.string() + ": " + why);
                                });
  }
  void stop() override {
    std::lock_guard lock(gate_->mutex);
    gate_->reporter = nullptr;
  }

 private:
  // A stable id for GET / (clients show it): kept in the engine folder.
  static std::string clusterUuid(const std::filesystem::path& path) {
    const auto file = path / "cluster_uuid";
    std::string uuid;
    if (std::ifstream in(file); in) std::getline(in, uuid);
    if (uuid.size() == 22) return uuid;
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::mt19937_64 rng(std::random_device{}());
    uuid.assign(22, 'A');
    for (auto& c : uuid) c = kAlphabet[rng() % 64];
    std::ofstream(file) << uuid << '\n';
    return uuid;
  }

  // Status reports come from pool threads, possibly late; the host takes them only until
  // stop returns, so stop closes the gate.
  struct StatusGate {
    std::mutex mutex;
    StatusReporter* reporter = nullptr;
    Logger* logger = nullptr;
    std::set<std::string> logged;  // broken indices already logged
  };

  std::shared_ptr<SearchService> service_;
  std::shared_ptr<Engine> engine_;
  std::shared_ptr<StatusGate> gate_ = std::make_shared<StatusGate>();
};

}  // namespace
}  // namespace orrery::data

ORRERY_PLUGIN(orrery::data::DataPlugin)
