// The host's document storage, as a plugin sees it (SDK 1.2; indexes since 1.3).
//
// Typed JSON documents addressed by (type, id). Every document carries a version that
// starts at 1 and grows by one per write: an update names the version it read, and a
// stale one is a conflict (optimistic concurrency), which is also how two hosts sharing
// one store claim work without running it twice. Documents may carry an owner, and
// queries can be restricted to one owner.
//
// A plugin registers its types in setup(), each with its current schema version and a
// migration per version step; the host applies pending migrations before any start().
// Every call is asynchronous (a Task that runs the backend on the blocking pool), so it
// is awaited from a coroutine and never blocks an I/O thread:
//
//   storage::NewDocument note{.type = "note", .id = "n1", .body = R"({"a":1})"};
//   auto created = co_await storage.create(std::move(note));
//   storage::FindQuery query{.type = "note",
//                            .filters = {storage::Filter::gte("a", 1)},
//                            .sort = {{"a", storage::SortOrder::descending}}};
//   auto page = co_await storage.find(std::move(query));
//
// The arguments are named variables, not braced temporaries inside the co_await: g++ 12
// frees such a temporary twice (see "HTTP routes" in sdk/README.md).
//
// Bodies are JSON object text, so this header stays free of any JSON library; field
// values in filters are a small variant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "orrery/task.hpp"

namespace orrery::storage {

struct Document {
  std::string type{};
  std::string id{};
  std::string body{};  // a JSON object
  std::uint64_t version = 0;
  std::string owner{};  // empty: no owner
};

struct NewDocument {
  std::string type{};
  std::string id{};
  std::string body{};
  std::string owner{};
};

// A value a field is compared with. Booleans compare as 1 and 0, like JSON in SQL stores.
using FieldValue = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string>;

enum class FilterOp { eq, ne, lt, lte, gt, gte, in };

// A condition on a body field named by a dotted path (`status`, `schedule.interval`).
// `eq` with null matches a missing or null field.
struct Filter {
  std::string field{};
  FilterOp op = FilterOp::eq;
  std::vector<FieldValue> values{};  // one value, or the set for `in`

  static Filter eq(std::string field, FieldValue v) { return {std::move(field), FilterOp::eq, {std::move(v)}}; }
  static Filter ne(std::string field, FieldValue v) { return {std::move(field), FilterOp::ne, {std::move(v)}}; }
  static Filter lt(std::string field, FieldValue v) { return {std::move(field), FilterOp::lt, {std::move(v)}}; }
  static Filter lte(std::string field, FieldValue v) { return {std::move(field), FilterOp::lte, {std::move(v)}}; }
  static Filter gt(std::string field, FieldValue v) { return {std::move(field), FilterOp::gt, {std::move(v)}}; }
  static Filter gte(std::string field, FieldValue v) { return {std::move(field), FilterOp::gte, {std::move(v)}}; }
  static Filter in(std::string field, std::vector<FieldValue> set) {
    return {std::move(field), FilterOp::in, std::move(set)};
  }
};

enum class SortOrder { ascending, descending };

struct SortField {
  std::string field{};
  SortOrder order = SortOrder::ascending;
};

// All filters must hold (AND). Results are ordered by `sort`, then by id, so pages are
// stable; `offset`/`limit` select the page and `total` counts every match.
struct FindQuery {
  std::string type{};
  std::vector<Filter> filters{};
  std::optional<std::string> owner{};
  std::vector<SortField> sort{};
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct FindResult {
  std::vector<Document> documents{};
  std::size_t total = 0;
};

enum class ErrorKind {
  notFound,  // no document with that type and id
  conflict,  // the id exists (create) or the version is stale (update, remove)
  invalid,   // bad input: not a JSON object, unknown type, bad field path, ...
  failed,    // the backend failed (I/O error, database locked for too long)
};

inline const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::notFound: return "not_found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::invalid: return "invalid";
    case ErrorKind::failed: return "failed";
  }
  return "failed";
}

// Thrown by storage calls; the message names the type, id or field at fault.
class StorageError : public std::runtime_error {
 public:
  StorageError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

struct BulkOperation {
  enum class Kind { create, update, remove };
  Kind kind = Kind::create;
  std::string type{};
  std::string id{};
  std::string body{};                            // create, update
  std::string owner{};                           // create
  std::optional<std::uint64_t> expectedVersion;  // update (required), remove (optional)
};

// One result per bulk item, in order: the written document, or why that item failed.
// Items are independent: one failing does not undo the others.
struct BulkItemResult {
  std::optional<Document> document{};  // set for a successful create/update
  std::optional<ErrorKind> error{};
  std::string message{};

  bool ok() const { return !error.has_value(); }
};

// Turns a body of schema version N into version N+1 (JSON object text in and out).
using Migration = std::function<std::string(const std::string& body)>;

struct TypeDefinition {
  std::string name{};
  unsigned version = 1;
  // Key N migrates from version N to N+1; every step below `version` must be present
  // once stored documents are older than `version`.
  std::map<unsigned, Migration> migrations{};
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Setup only. A type must be registered (by any plugin) before documents of it are
  // used; registering a name twice is an error.
  virtual void registerType(TypeDefinition type) = 0;

  // Conflict if (type, id) exists.
  virtual Task<Document> create(NewDocument document) = 0;
  virtual Task<std::optional<Document>> get(std::string type, std::string id) = 0;
  // Replaces the body if the stored version is `expectedVersion`; the owner is kept.
  virtual Task<Document> update(std::string type, std::string id, std::string body,
                                std::uint64_t expectedVersion) = 0;
  // Not found if absent; conflict if `expectedVersion` is given and stale.
  virtual Task<void> remove(std::string type, std::string id, std::optional<std::uint64_t> expectedVersion) = 0;
  virtual Task<FindResult> find(FindQuery query) = 0;
  virtual Task<std::vector<BulkItemResult>> bulk(std::vector<BulkOperation> operations) = 0;

  // Setup only (SDK 1.3). Declares an index over body fields of a registered type, in
  // order, so that finds filtering on a prefix of them (equality first, then one range)
  // and sorting by the next one read only the matching documents instead of every
  // document of the type. Declare the fields a plugin's frequent finds use; an index
  // costs every write of the type a little. Idempotent: an index declared again, by this
  // or a later start of the host, is kept as is. Throws StorageError(invalid) for an
  // unregistered type, no fields, a bad field path, or a call after setup.
  virtual void registerIndex(std::string type, std::vector<std::string> fields) = 0;
};

}  // namespace orrery::storage
