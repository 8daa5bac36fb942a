// Errors of the embedded search engine, carrying the Elasticsearch error type and status
// that the /es API answers with (e.g. index_not_found_exception 404).
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace orrery::data {

// The parser token Elasticsearch names in its messages for a JSON value's type
// ("START_OBJECT", "VALUE_STRING", ...).
inline std::string jsonTokenName(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: return "START_OBJECT";
    case nlohmann::json::value_t::array: return "START_ARRAY";
    case nlohmann::json::value_t::string: return "VALUE_STRING";
    case nlohmann::json::value_t::boolean: return "VALUE_BOOLEAN";
    case nlohmann::json::value_t::null: return "VALUE_NULL";
    default: return "VALUE_NUMBER";
  }
}

class EngineError : public std::runtime_error {
 public:
  EngineError(int status, std::string type, std::string reason, nlohmann::json extra = nlohmann::json::object())
      : std::runtime_error(reason), status_(status), type_(std::move(type)), extra_(std::move(extra)) {}

  int status() const noexcept { return status_; }
  const std::string& type() const noexcept { return type_; }
  // Fields Elasticsearch adds beside type and reason (index, resource.id, ...).
  const nlohmann::json& extra() const noexcept { return extra_; }

  // The cause object: {"type", "reason", ...extra}.
  nlohmann::json cause() const {
    nlohmann::json out = {{"type", type_}, {"reason", what()}};
    for (const auto& [key, value] : extra_.items()) out[key] = value;
    return out;
  }
  // The whole Elasticsearch error body.
  nlohmann::json body() const {
    nlohmann::json top = cause();
    top["root_cause"] = nlohmann::json::array({cause()});
    return {{"error", top}, {"status", status_}};
  }

 private:
  int status_;
  std::string type_;
  nlohmann::json extra_;
};

inline EngineError parsingError(std::string reason) { return EngineError(400, "parsing_exception", std::move(reason)); }
inline EngineError illegalArgument(std::string reason) {
  return EngineError(400, "illegal_argument_exception", std::move(reason));
}
// A _bulk document line that is not a JSON object.
inline EngineError documentNotAnObject(std::size_t line) {
  return EngineError(400, "mapper_parsing_exception",
                     "failed to parse: the document on line [" + std::to_string(line) + "] is not a JSON object");
}
inline EngineError indexNotFound(const std::string& index) {
  return EngineError(404, "index_not_found_exception", "no such index [" + index + "]",
                     {{"resource.type", "index_or_alias"}, {"resource.id", index}, {"index_uuid", "_na_"},
                      {"index", index}});
}

}  // namespace orrery::data
