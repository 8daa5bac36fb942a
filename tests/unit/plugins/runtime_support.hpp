// Shared by the runtime unit tests (loader, plugin runtime, plugin set): a temp folder,
// manifests written into it that point at the built fixture libraries, and a host made
// of the real services with its log captured as JSON lines.
#pragma once

#include <doctest/doctest.h>

#include "tests/support/temp_dir.hpp"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/executors/executor_pool.hpp"
#include "core/logging/logging_service.hpp"
#include "core/plugins/api_registry.hpp"
#include "core/plugins/manifest.hpp"
#include "core/plugins/plugin_runtime.hpp"
#include "core/preboot/preboot_holds.hpp"
#include "core/status/status_service.hpp"

namespace orrery::plugins::test {

namespace fs = std::filesystem;

// Where tests/fixtures/meson.build and tests/unit/plugins/libs/meson.build put their
// libraries; given by the build.
inline fs::path fixtureLibrary(const std::string& name) { return fs::path(ORRERY_FIXTURES_DIR) / (name + ".so"); }
inline fs::path unitLibrary(const std::string& name) { return fs::path(ORRERY_UNIT_LIBS_DIR) / (name + ".so"); }

using orrery::test::TempDir;

struct ManifestSpec {
  std::string id;
  fs::path library;  // absolute; written relative to the manifest's folder
  std::vector<std::string> required = {};
  std::string type = "standard";
  std::string sdkVersion = "^1.0.0";
  std::vector<std::string> optional = {};
};

// Writes `<dir>/<id>.json` and parses it as the host would.
inline Manifest writeManifest(const fs::path& dir, const ManifestSpec& spec) {
  nlohmann::json doc = {
      {"id", spec.id},
      {"version", "1.0.0"},
      {"sdkVersion", spec.sdkVersion},
      {"type", spec.type},
      {"library", fs::relative(spec.library, dir).string()},
      {"requiredPlugins", spec.required},
  };
  if (!spec.optional.empty()) doc["optionalPlugins"] = spec.optional;
  const fs::path file = dir / (spec.id + ".json");
  const std::string text = doc.dump(2);
  std::ofstream(file, std::ios::binary) << text;
  auto parsed = parseManifest(text, file);
  if (auto* error = std::get_if<ManifestError>(&parsed)) {
    FAIL("manifest for " << spec.id << " refused: " << error->text());
  }
  return std::get<Manifest>(std::move(parsed));
}

// The services' enums by name, so that doctest prints them in failures (their own
// toString returns string_view, which doctest cannot print).
inline std::string name(orrery::status::PluginState state) { return std::string(orrery::status::toString(state)); }
inline std::string name(orrery::ServiceLevel level) { return std::string(orrery::toString(level)); }

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The host's services, real ones, logging JSON lines at debug into a temp file.
struct TestHost {
  TempDir dir;
  fs::path logFile = dir.path() / "host.log";
  logging::LoggingService logging;
  status::StatusService status;
  preboot::PrebootHolds holds;
  ApiRegistry apis;
  std::atomic<int> poolErrors{0};
  executors::ExecutorPool pool{2, 2, [this](std::exception_ptr) { ++poolErrors; }};
  HostServices services{logging, status, pool, apis, holds, dir.path() / "data"};

  TestHost() {
    logging::LoggingSettings settings;
    settings.level = LogLevel::debug;
    settings.format = logging::LogFormat::json;
    settings.file = logFile.string();
    logging.configure(settings);
  }
  ~TestHost() { pool.stop(); }

  // Every record logged so far, in order.
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(logFile, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (!nlohmann::json::accept(line)) {
        FAIL_CHECK("not a JSON log line: " << line);
        continue;
      }
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

  // Index of the first record from `logger` whose message contains `part`; -1 if none.
  int find(const std::string& logger, const std::string& part) const {
    const auto all = records();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].value("log.logger", "") == logger && contains(all[i].value("message", ""), part)) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  bool logged(const std::string& logger, const std::string& part) const { return find(logger, part) >= 0; }
};

}  // namespace orrery::plugins::test
