// LoggingService: per-logger levels by longest dotted prefix, reconfiguration, the JSON
// and text line formats, and file output.
#include <doctest/doctest.h>

#include "tests/support/temp_dir.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/logging/log_record.hpp"
#include "core/logging/logging_service.hpp"

namespace fs = std::filesystem;
using orrery::LogLevel;
using orrery::logging::LogFormat;
using orrery::logging::LoggingService;
using orrery::logging::LoggingSettings;

namespace {

using orrery::test::TempDir;

std::vector<std::string> linesOf(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A service writing to `<dir>/out.log` in `format`.
LoggingSettings toFile(const TempDir& dir, LogFormat format, LogLevel level = LogLevel::info) {
  LoggingSettings settings;
  settings.level = level;
  settings.format = format;
  settings.file = (dir.path() / "out.log").string();
  return settings;
}

}  // namespace

TEST_CASE("levels: the longest matching dotted prefix wins, else logging.level") {
  LoggingService service;
  LoggingSettings settings;
  settings.level = LogLevel::info;
  settings.loggers = {{"plugins", "error"}, {"plugins.foo", "debug"}, {"plugins.foo.quiet", "off"}};
  service.configure(settings);

  auto& plugins = service.get("plugins");
  CHECK(plugins.enabled(LogLevel::error));
  CHECK_FALSE(plugins.enabled(LogLevel::warn));

  auto& foo = service.get("plugins.foo");
  CHECK(foo.enabled(LogLevel::debug));
  CHECK_FALSE(foo.enabled(LogLevel::trace));

  // `plugins.foobar` shares the text `plugins.foo` but is not below it.
  auto& foobar = service.get("plugins.foobar");
  CHECK_FALSE(foobar.enabled(LogLevel::debug));
  CHECK_FALSE(foobar.enabled(LogLevel::warn));
  CHECK(foobar.enabled(LogLevel::error));

  CHECK(service.get("plugins.foo.bar").enabled(LogLevel::debug));
  CHECK_FALSE(service.get("plugins.foo.quiet").enabled(LogLevel::critical));
  CHECK_FALSE(service.get("plugins.foo.quiet.deeper").enabled(LogLevel::critical));

  // No prefix matches: the default level.
  auto& host = service.get("host");
  CHECK(host.enabled(LogLevel::info));
  CHECK_FALSE(host.enabled(LogLevel::debug));
  CHECK(service.get("pluginsx").enabled(LogLevel::info));  // not under `plugins` (error)

  // `off` is never a level to log at.
  CHECK_FALSE(host.enabled(LogLevel::off));
}

TEST_CASE("levels: the same logger object for the same name; child loggers have their own level") {
  LoggingService service;
  LoggingSettings settings;
  settings.loggers = {{"plugins.foo.sub", "trace"}};
  service.configure(settings);
  auto& foo = service.get("plugins.foo");
  CHECK(&service.get("plugins.foo") == &foo);
  auto& sub = foo.child("sub");
  CHECK(sub.name() == "plugins.foo.sub");
  CHECK(&sub == &service.get("plugins.foo.sub"));
  CHECK(sub.enabled(LogLevel::trace));
  CHECK_FALSE(foo.enabled(LogLevel::debug));
}

TEST_CASE("reconfigure updates loggers already handed out") {
  LoggingService service;
  auto& foo = service.get("plugins.foo");
  auto& other = service.get("other");
  CHECK_FALSE(foo.enabled(LogLevel::debug));

  LoggingSettings settings;
  settings.level = LogLevel::warn;
  settings.loggers = {{"plugins.foo", "debug"}};
  service.configure(settings);
  CHECK(foo.enabled(LogLevel::debug));
  CHECK_FALSE(other.enabled(LogLevel::info));

  settings.loggers.clear();
  service.configure(settings);
  CHECK_FALSE(foo.enabled(LogLevel::info));
  CHECK(foo.enabled(LogLevel::warn));
}

TEST_CASE("file output: lines go to logging.file, filtered by level") {
  TempDir dir;
  LoggingService service;
  service.configure(toFile(dir, LogFormat::text));
  service.get("host").info("first line");
  service.get("host").debug("filtered out");
  service.get("plugins.x").warn("second line");
  const auto lines = linesOf(dir.path() / "out.log");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("first line") != std::string::npos);
  CHECK(lines[0].find("[host]") != std::string::npos);
  CHECK(lines[0].find("info") != std::string::npos);
  CHECK(lines[1].find("second line") != std::string::npos);
  CHECK(lines[1].find("[plugins.x]") != std::string::npos);
  CHECK(lines[1].find("warn") != std::string::npos);
}

TEST_CASE("a log file that cannot be opened: an error naming it, the old output kept") {
  TempDir dir;
  LoggingService service;
  service.configure(toFile(dir, LogFormat::text));
  service.get("host").info("before");

  const fs::path blocker = dir.path() / "not-a-folder";
  std::ofstream(blocker) << "a file where a folder should be";
  LoggingSettings bad = toFile(dir, LogFormat::json);
  bad.file = (blocker / "out.log").string();
  bad.level = LogLevel::error;
  try {
    service.configure(bad);
    FAIL("configure accepted an unopenable log file");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(*bad.file) != std::string::npos);
  }

  // Nothing of the failed configuration was applied.
  service.get("host").info("after");
  const auto lines = linesOf(dir.path() / "out.log");
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].find("after") != std::string::npos);
  CHECK(lines[1].front() != '{');
}

TEST_CASE("JSON format: one object per line with the record's keys and fields") {
  TempDir dir;
  LoggingService service;
  service.configure(toFile(dir, LogFormat::json));
  auto& log = service.get("plugins.foo");
  log.info("hello", {{"plugin", "foo"}, {"durationMs", "1.5"}});
  log.warn("two\nlines \"quoted\"", {});
  log.error("keys are protected", {{"message", "forged"}, {"log.level", "trace"}, {"log.logger", "evil"},
                                   {"@timestamp", "yesterday"}, {"extra", "kept"}});

  const auto lines = linesOf(dir.path() / "out.log");
  REQUIRE(lines.size() == 3);
  std::vector<nlohmann::json> records;
  for (const auto& line : lines) {
    INFO(line);
    REQUIRE(nlohmann::json::accept(line));
    records.push_back(nlohmann::json::parse(line));
    CHECK(records.back().is_object());
  }

  CHECK(records[0]["message"] == "hello");
  CHECK(records[0]["log.level"] == "info");
  CHECK(records[0]["log.logger"] == "plugins.foo");
  CHECK(records[0]["@timestamp"].is_string());
  CHECK(records[0]["@timestamp"].get<std::string>().size() == std::string("2024-01-01T00:00:00.000Z").size());
  CHECK(records[0]["@timestamp"].get<std::string>().back() == 'Z');
  CHECK(records[0]["plugin"] == "foo");
  CHECK(records[0]["durationMs"] == "1.5");

  CHECK(records[1]["message"] == "two\nlines \"quoted\"");
  CHECK(records[1]["log.level"] == "warn");

  CHECK(records[2]["message"] == "keys are protected");
  CHECK(records[2]["log.level"] == "error");
  CHECK(records[2]["log.logger"] == "plugins.foo");
  CHECK(records[2]["@timestamp"] != "yesterday");
  CHECK(records[2]["extra"] == "kept");
}

TEST_CASE("text format: field values that would be ambiguous are quoted") {
  TempDir dir;
  LoggingService service;
  service.configure(toFile(dir, LogFormat::text));
  service.get("host").info("fields", {{"plain", "value"}, {"spaced", "two words"}, {"empty", ""},
                                      {"quote", "say \"hi\""}, {"eq", "a=b"}});
  const auto lines = linesOf(dir.path() / "out.log");
  REQUIRE(lines.size() == 1);
  const auto& line = lines[0];
  CHECK(line.find(" plain=value") != std::string::npos);
  CHECK(line.find(" spaced=\"two words\"") != std::string::npos);
  CHECK(line.find(" empty=\"\"") != std::string::npos);
  CHECK(line.find(R"( quote="say \"hi\"")") != std::string::npos);
  CHECK(line.find(" eq=\"a=b\"") != std::string::npos);
}

TEST_CASE("invalid UTF-8 never turns a log call into an exception") {
  TempDir dir;
  LoggingService service;
  const std::string bad = "bad \xC3\x28 bytes \xFF";

  SUBCASE("JSON") {
    service.configure(toFile(dir, LogFormat::json));
    CHECK_NOTHROW(service.get("host").info(bad, {{"field", bad}, {bad, "key"}}));
    const auto lines = linesOf(dir.path() / "out.log");
    REQUIRE(lines.size() == 1);
    CHECK(nlohmann::json::accept(lines[0]));
  }
  SUBCASE("text") {
    service.configure(toFile(dir, LogFormat::text));
    CHECK_NOTHROW(service.get("host").info(bad, {{"field", bad}}));
    CHECK(linesOf(dir.path() / "out.log").size() == 1);
  }
}

TEST_CASE("lines written from many threads stay whole") {
  TempDir dir;
  LoggingService service;
  service.configure(toFile(dir, LogFormat::json));
  constexpr int kThreads = 4;
  constexpr int kLines = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&service, t] {
      auto& log = service.get("writer." + std::to_string(t));
      for (int i = 0; i < kLines; ++i) log.info("line " + std::to_string(i), {{"thread", std::to_string(t)}});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = linesOf(dir.path() / "out.log");
  CHECK(lines.size() == kThreads * kLines);
  int bad = 0;
  for (const auto& line : lines) bad += nlohmann::json::accept(line) ? 0 : 1;
  CHECK(bad == 0);
}

TEST_CASE("level names round-trip; unknown names are refused") {
  using orrery::logging::levelName;
  using orrery::logging::parseLevel;
  for (auto level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error,
                     LogLevel::critical, LogLevel::off}) {
    CHECK(parseLevel(levelName(level)) == level);
  }
  CHECK_FALSE(parseLevel("verbose").has_value());
  CHECK_FALSE(parseLevel("INFO").has_value());

  // An unknown level name in logging.loggers is ignored, not applied.
  LoggingService service;
  LoggingSettings settings;
  settings.level = LogLevel::warn;
  settings.loggers = {{"a", "loud"}};
  service.configure(settings);
  CHECK_FALSE(service.get("a").enabled(LogLevel::info));
  CHECK(service.get("a").enabled(LogLevel::warn));
}
