// The _bulk API: NDJSON action/metadata lines (index, create, update, delete) each
// followed by its document where the action needs one. A malformed action line fails the
// whole request (as in Elasticsearch); a bad document or a failed write fails only its
// item, and every line gets an item result in order.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine.hpp"
#include "errors.hpp"
#include "index.hpp"

namespace orrery::data {

struct BulkItem {
  std::string action;  // index, create, update, delete
  std::string index;
  WriteOp op;
  std::optional<EngineError> error;  // set when the item failed before reaching its index
};

// Throws EngineError (illegal_argument_exception / action_request_validation_exception)
// for a malformed action line or a missing index, naming the line. A line nested deeper
// than `maxNestingDepth`: an action line fails the request, a document its item.
std::vector<BulkItem> parseBulk(std::string_view body, const std::string& defaultIndex,
                                int maxNestingDepth = kMaxJsonNestingDepth);

// Runs the items (grouped per index, in order within each) and renders the response.
nlohmann::json executeBulk(Engine& engine, std::vector<BulkItem> items, bool forcedRefresh);

// The body Elasticsearch answers for one write (index, create, update, delete).
nlohmann::json writeResultJson(const std::string& index, const WriteResult& result, bool forcedRefresh);

}  // namespace orrery::data
