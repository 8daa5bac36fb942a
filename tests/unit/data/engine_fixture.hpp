// Helpers for the engine's unit tests: an engine in a temp folder, bulk loading of plain
// JSON documents, and searches from JSON text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine.hpp"
#include "search.hpp"
#include "search_request.hpp"
#include "temp_dir.hpp"

namespace orrery::data::test {

struct EngineFixture {
  orrery::test::TempDir dir;
  Engine engine{dir.path() / "indices"};

  std::shared_ptr<Index> create(const std::string& name, const nlohmann::json& body = nullptr) {
    return engine.createIndex(name, body);
  }
  std::vector<WriteResult> load(const std::string& index, const std::vector<nlohmann::json>& docs) {
    std::vector<WriteOp> ops;
    int n = 0;
    for (const auto& doc : docs) {
      WriteOp op;
      op.id = doc.contains("_id_") ? doc["_id_"].get<std::string>() : std::to_string(++n);
      op.source = doc;
      op.source.erase("_id_");
      ops.push_back(std::move(op));
    }
    return engine.indexForWrite(index)->write(std::move(ops));
  }
  nlohmann::json search(const std::string& expression, const nlohmann::json& body, bool typedKeys = false) {
    return searchIndices(engine.resolve(expression), parseSearchRequest(body), typedKeys);
  }
  std::vector<std::string> ids(const std::string& expression, const nlohmann::json& body) {
    std::vector<std::string> out;
    const auto result = search(expression, body);
    for (const auto& hit : result["hits"]["hits"]) out.push_back(hit["_id"].get<std::string>());
    return out;
  }
};

}  // namespace orrery::data::test
