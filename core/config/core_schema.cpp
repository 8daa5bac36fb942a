#include "core/config/core_schema.hpp"

#include <chrono>
#include <string>
#include <thread>

#include "core/executors/pool_sizes.hpp"

namespace orrery::config {

std::vector<std::pair<std::string, orrery::ConfigSchema>> coreSchemas() {
  using namespace std::chrono_literals;
  std::vector<std::pair<std::string, orrery::ConfigSchema>> schemas;

  orrery::ConfigSchema server;
  server.string("host", "127.0.0.1", {}, "address the HTTP server binds to")
      .integer("port", 5601, {.min = 0, .max = 65535}, "HTTP port; 0 picks a free one")
      .bytes("maxBodySize", 1024 * 1024, {.min = 1, .max = std::nullopt}, "largest request body a route accepts by default")
      .bytes("maxHeaderSize", 16 * 1024, {.min = 1024, .max = 1024 * 1024}, "largest request line plus headers")
      .bytes("maxInFlightBodyBytes", std::int64_t{512} * 1024 * 1024, {.min = 1, .max = std::nullopt},
             "request body bytes all requests together may hold at once; a request past it gets 429")
      .duration("requestTimeout", 30s, {.min = 1ms, .max = std::nullopt},
                "time for a request's head and body to arrive, and for its response to be written")
      .duration("keepAliveTimeout", 60s, {.min = 1ms, .max = std::nullopt},
                "how long an idle kept-alive connection stays open")
      .integer("maxConnections", 1024, {.min = 1, .max = 1'000'000}, "open connections at most; more get 503")
      .boolean("keepAlive", true, "whether connections are kept open between requests")
      .duration("shutdownTimeout", 30s, {.min = 0ms, .max = std::nullopt},
                "how long stopping waits for in-flight requests")
      .string("elasticsearchMount", "/es", {}, "path prefix of the Elasticsearch-compatible APIs")
      .boolean("ssl.enabled", false, "serve HTTPS (TLS 1.2+) instead of HTTP")
      .optional("ssl.certificate", orrery::ConfigType::string, "PEM certificate chain file, when ssl.enabled")
      .optional("ssl.key", orrery::ConfigType::string, "PEM private key file, when ssl.enabled");
  schemas.emplace_back("server", std::move(server));

  orrery::ConfigSchema path;
  path.string("data", "data", {}, "folder for the storage service and plugin data");
  schemas.emplace_back("path", std::move(path));

  orrery::ConfigSchema storage;
  storage.optional("path", orrery::ConfigType::string,
                   "SQLite file of the storage service (default <path.data>/storage/orrery.db); hosts "
                   "on one machine pointed at one file share their documents");
  schemas.emplace_back("storage", std::move(storage));

  orrery::ConfigSchema logging;
  logging.string("level", "info", kLogLevels, "level of loggers not named in `loggers`")
      .string("format", "text", {"text", "json"}, "line layout")
      .optional("file", orrery::ConfigType::string, "log to this file instead of stdout")
      .stringMap("loggers", kLogLevels, "per-logger levels keyed by logger name, e.g. plugins.foo");
  schemas.emplace_back("logging", std::move(logging));

  // One bounded pool per workload; the defaults are sized for this machine's cores.
  orrery::ConfigSchema executors;
  const auto sizes = executors::defaultPoolSizes(std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < executors::kPoolCount; ++i) {
    const std::string name(orrery::poolName(executors::kPools[i]));
    executors
        .integer(name + ".threads", sizes[i].threads, {.min = 1, .max = 1024},
                 "threads of the " + name + " pool")
        .integer(name + ".queueSize", static_cast<std::int64_t>(sizes[i].queueSize), {.min = 0, .max = 1'000'000},
                 "work that may wait for a " + name + " thread; more is refused (429 under /es, 503 elsewhere)");
  }
  schemas.emplace_back("executors", std::move(executors));

  orrery::ConfigSchema plugins;
  plugins.stringList("paths", {}, "extra folders searched for plugin manifests")
      .duration("lifecycle.timeout", 10s, {.min = 1ms, .max = std::nullopt}, "deadline of each plugin lifecycle call")
      .duration("lifecycle.warnAfter", 2s, {.min = 1ms, .max = std::nullopt}, "log a warning when a lifecycle call takes longer");
  schemas.emplace_back("plugins", std::move(plugins));

  return schemas;
}

std::vector<SectionSpec> coreSectionSpecs() {
  static const auto schemas = coreSchemas();
  std::vector<SectionSpec> specs;
  for (const auto& [path, schema] : schemas) specs.push_back({path, &schema});
  return specs;
}

}  // namespace orrery::config
