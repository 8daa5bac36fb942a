// An index's mapping: the type of each field (flattened to dotted paths), explicit
// mappings as given at index creation, dynamic mapping of new fields, and conversion of
// a document's values to what the shards store — refusing a value its field's type
// cannot hold with a mapper_parsing_exception naming the field and the document.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "sqlite.hpp"

namespace orrery::data {

enum class FieldType { keyword, text, long_, integer, double_, float_, boolean, date };

std::string_view toString(FieldType type);
std::optional<FieldType> fieldTypeFromString(std::string_view name);
bool isNumeric(FieldType type);

struct FieldMapping {
  FieldType type = FieldType::keyword;
  // The dotted path in _source the value comes from: the field itself, or the parent
  // of a multi-field (`message.keyword` reads `message`).
  std::string sourcePath;
  // For a multi-field, the field it belongs to.
  std::string parent;
  // keyword: longer strings are not indexed (dynamic keyword subfields use 256).
  std::optional<std::size_t> ignoreAbove;
};

// One field value of a document, converted for storage.
struct IndexedValue {
  std::string field;
  FieldType type;
  SqlValue value;  // keyword/text: string; numbers, dates, booleans: integer or real
};

// index.mapping.depth.limit's default, as Elasticsearch's.
inline constexpr int kDefaultMappingDepthLimit = 20;

class Mapping {
 public:
  // From the `mappings` object of a create-index request; throws mapper_parsing_exception,
  // or illegal_argument_exception for objects nested past `depthLimit`.
  static Mapping fromJson(const nlohmann::json& mappings, int depthLimit = kDefaultMappingDepthLimit);

  // index.mapping.depth.limit: how deep objects may nest (the root is depth 1, an object
  // field at the root depth 2). Explicit mappings and dynamic mapping from documents are
  // both held to it, before their objects are walked.
  void setDepthLimit(int limit) { depthLimit_ = limit; }
  int depthLimit() const { return depthLimit_; }

  const std::map<std::string, FieldMapping>& fields() const { return fields_; }
  const FieldMapping* find(const std::string& field) const;
  // The Elasticsearch shape: {"properties": {...}} with objects nested.
  nlohmann::json toJson() const;

  // Converts `source`'s values. New fields are added to `added` (not to this mapping),
  // typed as dynamic mapping would; a value that does not fit its field throws
  // mapper_parsing_exception naming the field, the type and the document id.
  std::vector<IndexedValue> extract(const nlohmann::json& source, const std::string& docId,
                                    std::map<std::string, FieldMapping>& added) const;

  // Adds fields (from extract's `added` or another shard's mapping); an existing field
  // keeps its type.
  void merge(const std::map<std::string, FieldMapping>& fields);
  // What index.mapping.total_fields.limit counts, as Elasticsearch: fields (multi-fields
  // included) and objects.
  std::size_t totalFields() const { return fields_.size() + objects_.size(); }
  // How many of those merge(added) would add.
  std::size_t newFieldCount(const std::map<std::string, FieldMapping>& added) const;
  // Adds a field from a put-mapping style definition; throws if it conflicts.
  void addProperties(const nlohmann::json& properties, const std::string& prefix);

 private:
  void walk(const nlohmann::json& object, const std::string& prefix, const std::string& docId,
            std::map<std::string, FieldMapping>& added, std::vector<IndexedValue>& out) const;
  void leaf(const std::string& path, const nlohmann::json& value, const std::string& docId,
            std::map<std::string, FieldMapping>& added, std::vector<IndexedValue>& out) const;

  std::map<std::string, FieldMapping> fields_;
  // Throws illegal_argument_exception if the object at `objectPath` is past depthLimit_.
  void checkDepth(const std::string& objectPath) const;

  // Paths mapped as objects (explicitly or dynamically), for conflict detection.
  std::map<std::string, bool> objects_;
  int depthLimit_ = kDefaultMappingDepthLimit;
};

// "Limit of total fields [limit] has been exceeded while adding new fields [adding]".
EngineError totalFieldsExceeded(std::int64_t limit, std::int64_t adding);

// Converts one JSON scalar for a field of `type`; nullopt when it does not fit.
std::optional<SqlValue> convertValue(FieldType type, const nlohmann::json& value);

}  // namespace orrery::data
