// JSON request bodies and responses, with validation that names the bad field:
//
//   auto body = parseJsonBody(request);            // 400 if not JSON / not an object
//   JsonFields fields(body);
//   auto name = fields.requiredString("name");     // 400 "[request body.name]: expected
//   auto size = fields.integer("size", 10, 1, 100);//       value of type [string] but got [number]"
//   fields.rejectUnknown();                        // 400 naming a key nobody asked for
//
// Opt-in: it pulls in nlohmann/json, which the rest of the SDK avoids for compile time.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orrery/http/error.hpp"
#include "orrery/json_parse.hpp"
#include "orrery/http/request.hpp"
#include "orrery/http/response.hpp"

namespace orrery::http {

inline std::string_view jsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::object: return "object";
    default: return "number";
  }
}

// The body as JSON; 400 if it is empty, not JSON, nested deeper than `maxDepth` (before
// anything walks it: see orrery/json_parse.hpp) or (with `requireObject`) not an object.
inline nlohmann::json parseJsonBody(const Request& request, bool requireObject = true,
                                    int maxDepth = kMaxJsonNestingDepth) {
  if (request.body.empty()) throw badField("request body", "expected a JSON body");
  nlohmann::json body;
  try {
    body = parseJson(request.body, maxDepth);
  } catch (const JsonTooDeep& tooDeep) {
    throw badField("request body", tooDeep.what());
  }
  if (body.is_discarded()) throw badField("request body", "is not valid JSON");
  if (requireObject && !body.is_object()) {
    throw badField("request body", "expected value of type [object] but got [" + std::string(jsonTypeName(body)) + "]");
  }
  return body;
}

inline Response jsonResponse(int status, const nlohmann::json& body) {
  return Response::json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Typed access to an object's fields; each accessor throws a 400 naming the field.
class JsonFields {
 public:
  explicit JsonFields(const nlohmann::json& object, std::string where = "request body")
      : object_(object), where_(std::move(where)) {}

  std::string requiredString(std::string_view name) {
    const auto& value = require(name);
    if (!value.is_string()) throw wrongType(name, "string", value);
    return value.get<std::string>();
  }
  std::optional<std::string> optionalString(std::string_view name) {
    const auto* value = find(name);
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_string()) throw wrongType(name, "string", *value);
    return value->get<std::string>();
  }
  std::int64_t integer(std::string_view name, std::int64_t fallback, std::int64_t min = INT64_MIN,
                       std::int64_t max = INT64_MAX) {
    const auto* value = find(name);
    if (!value || value->is_null()) return fallback;
    if (!value->is_number_integer()) throw wrongType(name, "integer", *value);
    const auto number = value->get<std::int64_t>();
    if (number < min || number > max) {
      throw badField(field(name), "expected an integer between " + std::to_string(min) + " and " +
                                      std::to_string(max) + " but got [" + std::to_string(number) + "]");
    }
    return number;
  }
  bool boolean(std::string_view name, bool fallback) {
    const auto* value = find(name);
    if (!value || value->is_null()) return fallback;
    if (!value->is_boolean()) throw wrongType(name, "boolean", *value);
    return value->get<bool>();
  }
  std::vector<std::string> stringList(std::string_view name) {
    const auto* value = find(name);
    if (!value || value->is_null()) return {};
    if (!value->is_array()) throw wrongType(name, "array", *value);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value->size(); ++i) {
      const auto& item = (*value)[i];
      if (!item.is_string()) {
        throw badField(field(name) + "." + std::to_string(i),
                       "expected value of type [string] but got [" + std::string(jsonTypeName(item)) + "]");
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  // A nested object, or nullptr when absent.
  const nlohmann::json* optionalObject(std::string_view name) {
    const auto* value = find(name);
    if (!value || value->is_null()) return nullptr;
    if (!value->is_object()) throw wrongType(name, "object", *value);
    return value;
  }
  // 400 for the first key no accessor asked about.
  void rejectUnknown() const {
    for (const auto& item : object_.items()) {
      if (!seen_.count(item.key())) throw badField(field(item.key()), "definition for this key is missing");
    }
  }
  // Where a nested field is, for JsonFields over a sub-object.
  std::string field(std::string_view name) const { return where_ + "." + std::string(name); }

 private:
  const nlohmann::json* find(std::string_view name) {
    seen_.emplace(name);
    auto it = object_.find(std::string(name));
    return it == object_.end() ? nullptr : &*it;
  }
  const nlohmann::json& require(std::string_view name) {
    const auto* value = find(name);
    if (!value || value->is_null()) throw badField(field(name), "expected a value but got [undefined]");
    return *value;
  }
  HttpError wrongType(std::string_view name, std::string_view expected, const nlohmann::json& value) const {
    return badField(field(name), "expected value of type [" + std::string(expected) + "] but got [" +
                                     std::string(jsonTypeName(value)) + "]");
  }

  const nlohmann::json& object_;
  std::string where_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace orrery::http
