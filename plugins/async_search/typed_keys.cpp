#include "typed_keys.hpp"

#include <nlohmann/json.hpp>
#include <orrery/json_parse.hpp>

namespace orrery::async_search {
namespace {

using json = nlohmann::json;

std::string untypedName(const std::string& key) {
  const auto hash = key.find('#');
  return hash == std::string::npos ? key : key.substr(hash + 1);
}

void untypeResult(json& result);

// Renames the typed members of `object` (aggregations or sub-aggregations), recursing into
// their results. Members without `#` (doc_count, key, value, hits...) are left alone, and
// so is everything inside them: documents may hold any key.
void untypeMembers(json& object) {
  if (!object.is_object()) return;
  json renamed = json::object();
  for (auto& [key, value] : object.items()) {
    if (key.find('#') != std::string::npos) {
      untypeResult(value);
      renamed[untypedName(key)] = std::move(value);
    } else {
      renamed[key] = std::move(value);
    }
  }
  object = std::move(renamed);
}

// One aggregation's result: its sub-aggregations sit beside its own fields (single-bucket
// aggregations) or in each of its buckets (a list, or an object of keyed buckets).
void untypeResult(json& result) {
  untypeMembers(result);
  if (!result.is_object()) return;
  const auto buckets = result.find("buckets");
  if (buckets == result.end()) return;
  if (buckets->is_array()) {
    for (auto& bucket : *buckets) untypeMembers(bucket);
  } else if (buckets->is_object()) {
    for (auto& [key, bucket] : buckets->items()) untypeMembers(bucket);
  }
}

}  // namespace

std::string withoutTypedKeys(const std::string& response) {
  if (response.find("\"aggregations\"") == std::string::npos && response.find("\"suggest\"") == std::string::npos) {
    return response;
  }
  json parsed;
  try {
    parsed = parseJson(response, 2 * kMaxJsonNestingDepth);
  } catch (const JsonTooDeep&) {
    return response;  // not ours to reshape: as it came
  }
  if (!parsed.is_object()) return response;
  if (auto aggregations = parsed.find("aggregations"); aggregations != parsed.end()) untypeMembers(*aggregations);
  if (auto suggest = parsed.find("suggest"); suggest != parsed.end() && suggest->is_object()) {
    json renamed = json::object();
    for (auto& [key, value] : suggest->items()) renamed[untypedName(key)] = std::move(value);
    *suggest = std::move(renamed);
  }
  return parsed.dump();
}

std::vector<std::pair<std::string, std::string>> withTypedKeys(std::vector<std::pair<std::string, std::string>> parameters) {
  std::erase_if(parameters, [](const auto& parameter) { return parameter.first == "typed_keys"; });
  parameters.emplace_back("typed_keys", "true");
  return parameters;
}

bool typedKeysAsked(const std::vector<std::pair<std::string, std::string>>& parameters) {
  for (const auto& [name, value] : parameters) {
    if (name == "typed_keys") return value.empty() || value == "true";
  }
  return false;
}

}  // namespace orrery::async_search
