// Helper for the kill -9 durability test: writes documents to a SQLite store as fast as
// it can and prints "acked N" after each write returned, until it is killed. Whatever it
// printed must be in the store after the kill.
#include <cstdio>
#include <string>

#include "core/storage/sqlite_backend.hpp"

// `prefix` then `n`, built by append: g++ 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::to_string(n).
inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text.append(std::to_string(n));
  return text;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: storage_writer FILE\n");
    return 2;
  }
  orrery::storage::SqliteBackend backend(argv[1]);
  for (long i = 0;; ++i) {
    const std::string id = numbered("doc-", i);
    // Alternate single writes and small batches: both paths must be durable.
    if (i % 2 == 0) {
      backend.create({"durable", id, numbered(R"({"n":)", i) + "}", ""});
    } else {
      backend.bulk({{orrery::storage::BulkOperation::Kind::create, "durable", id, numbered(R"({"n":)", i) + "}",
                     "", {}}});
    }
    std::printf("acked %ld\n", i);
    std::fflush(stdout);
  }
}
