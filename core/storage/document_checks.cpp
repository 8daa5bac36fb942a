#include "core/storage/document_checks.hpp"

#include <nlohmann/json.hpp>

#include "orrery/json_parse.hpp"
#include "orrery/storage.hpp"

namespace orrery::storage {

namespace {

std::string name(std::string_view type, std::string_view id) {
  std::string text = "document '";
  text.append(type).append("/").append(id).append("'");
  return text;
}

bool nameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool nameChar(char c) { return nameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

void checkBody(std::string_view type, std::string_view id, std::string_view body) {
  // Bounded as request bodies are: a stored document is read back and walked by plugins.
  nlohmann::json parsed;
  try {
    parsed = parseJson(body);
  } catch (const JsonTooDeep& tooDeep) {
    throw StorageError(ErrorKind::invalid, name(type, id) + ": the body's " + tooDeep.what());
  }
  if (parsed.is_discarded()) {
    throw StorageError(ErrorKind::invalid, name(type, id) + ": the body is not valid JSON");
  }
  if (!parsed.is_object()) {
    throw StorageError(ErrorKind::invalid, name(type, id) + ": the body must be a JSON object");
  }
}

void checkKey(std::string_view type, std::string_view id) {
  if (type.empty()) throw StorageError(ErrorKind::invalid, "a document type must not be empty");
  if (id.empty()) throw StorageError(ErrorKind::invalid, "a document id must not be empty (type '" + std::string(type) + "')");
  if (type.size() > 512 || id.size() > 512) {
    throw StorageError(ErrorKind::invalid, name(type.substr(0, 40), id.substr(0, 40)) +
                                               "...: type and id are limited to 512 bytes");
  }
}

void checkFieldPath(std::string_view field) {
  bool atStart = true;
  for (char c : field) {
    if (atStart) {
      if (!nameStart(c)) break;
      atStart = false;
    } else if (c == '.') {
      atStart = true;
    } else if (!nameChar(c)) {
      atStart = true;  // force the error below
      break;
    }
  }
  if (field.empty() || atStart) {
    throw StorageError(ErrorKind::invalid, "field path '" + std::string(field) +
                                               "' is not a dotted path of names like 'status' or 'schedule.interval'");
  }
}

}  // namespace orrery::storage
