// An acknowledged write survives kill -9: a writer process acknowledges documents one by
// one, is killed with SIGKILL in the middle of more writes, and every acknowledged
// document is in the store when it is opened again.
#include <doctest/doctest.h>

#include <csignal>
#include <sstream>
#include <string>

#include "child_process.hpp"
#include "core/storage/sqlite_backend.hpp"
#include "tests/support/temp_dir.hpp"

// `prefix` then `n`, built by append: g++ 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text.append(std::to_string(n));
  return text;
}

TEST_CASE("storage: every acknowledged write survives kill -9 of the writer") {
  orrery::test::TempDir dir;
  const auto file = dir.path() / "storage" / "orrery.db";
  long acked = -1;
  {
    harness::ChildProcess writer(STORAGE_WRITER, {file.string()});
    REQUIRE(writer.waitForOutput("acked 300"));
    writer.signal(SIGKILL);  // while it goes on writing
    REQUIRE(writer.waitExit().value_or(-1) == 128 + SIGKILL);
    std::istringstream lines(writer.output());
    std::string word;
    long number = -1;
    while (lines >> word >> number) {
      if (word == "acked") acked = std::max(acked, number);
    }
  }
  REQUIRE(acked >= 300);
  orrery::storage::SqliteBackend reopened(file);
  long missing = 0;
  for (long i = 0; i <= acked; ++i) {
    if (!reopened.get("durable", numbered("doc-", i))) ++missing;
  }
  CHECK(missing == 0);
  const auto all = reopened.find({.type = "durable", .limit = 0});
  // Acknowledged ones, plus at most the one in flight when the kill came.
  CHECK(all.total >= static_cast<std::size_t>(acked + 1));
  CHECK(all.total <= static_cast<std::size_t>(acked + 2));
}
