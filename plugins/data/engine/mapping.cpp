#include "mapping.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "dates.hpp"
#include "errors.hpp"

namespace orrery::data {
namespace {

EngineError mapperError(std::string reason) { return EngineError(400, "mapper_parsing_exception", std::move(reason)); }

std::string preview(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.size() > 64) text = text.substr(0, 64) + "...";
  return text;
}

std::optional<double> numberFrom(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    double out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

}  // namespace

std::string_view toString(FieldType type) {
  switch (type) {
    case FieldType::keyword: return "keyword";
    case FieldType::text: return "text";
    case FieldType::long_: return "long";
    case FieldType::integer: return "integer";
    case FieldType::double_: return "double";
    case FieldType::float_: return "float";
    case FieldType::boolean: return "boolean";
    case FieldType::date: return "date";
  }
  return "keyword";
}

std::optional<FieldType> fieldTypeFromString(std::string_view name) {
  for (auto type : {FieldType::keyword, FieldType::text, FieldType::long_, FieldType::integer, FieldType::double_,
                    FieldType::float_, FieldType::boolean, FieldType::date}) {
    if (toString(type) == name) return type;
  }
  return std::nullopt;
}

bool isNumeric(FieldType type) {
  return type == FieldType::long_ || type == FieldType::integer || type == FieldType::double_ ||
         type == FieldType::float_;
}

std::optional<SqlValue> convertValue(FieldType type, const nlohmann::json& value) {
  switch (type) {
    case FieldType::keyword:
    case FieldType::text:
      if (value.is_string()) return SqlValue(value.get<std::string>());
      if (value.is_number() || value.is_boolean()) return SqlValue(value.dump());
      return std::nullopt;
    case FieldType::long_:
    case FieldType::integer: {
      if (value.is_number_integer()) {
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
          return std::nullopt;
        }
        const auto v = value.get<std::int64_t>();
        if (type == FieldType::integer && (v < INT32_MIN || v > INT32_MAX)) return std::nullopt;
        return SqlValue(v);
      }
      const auto d = numberFrom(value);
      if (!d || !std::isfinite(*d) || std::fabs(*d) > 9.2e18) return std::nullopt;
      const auto v = static_cast<std::int64_t>(std::trunc(*d));  // Elasticsearch truncates (coerce)
      if (type == FieldType::integer && (v < INT32_MIN || v > INT32_MAX)) return std::nullopt;
      return SqlValue(v);
    }
    case FieldType::double_:
    case FieldType::float_: {
      const auto d = numberFrom(value);
      if (!d || !std::isfinite(*d)) return std::nullopt;
      return SqlValue(type == FieldType::float_ ? static_cast<double>(static_cast<float>(*d)) : *d);
    }
    case FieldType::boolean:
      if (value.is_boolean()) return SqlValue(std::int64_t{value.get<bool>() ? 1 : 0});
      if (value.is_string()) {
        if (value == "true") return SqlValue(std::int64_t{1});
        if (value == "false" || value == "") return SqlValue(std::int64_t{0});
      }
      return std::nullopt;
    case FieldType::date:
      if (value.is_number_integer()) return SqlValue(value.get<std::int64_t>());
      if (value.is_string()) {
        if (auto millis = parseDate(value.get_ref<const std::string&>())) return SqlValue(*millis);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

const FieldMapping* Mapping::find(const std::string& field) const {
  auto it = fields_.find(field);
  return it == fields_.end() ? nullptr : &it->second;
}

Mapping Mapping::fromJson(const nlohmann::json& mappings, int depthLimit) {
  Mapping mapping;
  mapping.depthLimit_ = depthLimit;
  if (mappings.is_null()) return mapping;
  if (!mappings.is_object()) throw mapperError("Failed to parse mapping: mappings must be an object");
  for (const auto& [key, value] : mappings.items()) {
    if (key == "properties") {
      mapping.addProperties(value, "");
    } else if (key == "dynamic" || key == "_source" || key == "date_detection" || key == "_meta") {
      // accepted, with the default behaviour
    } else {
      throw mapperError("Root mapping definition has unsupported parameters:  [" + key + " : " + value.dump() + "]");
    }
  }
  return mapping;
}

void Mapping::addProperties(const nlohmann::json& properties, const std::string& prefix) {
  if (!properties.is_object()) throw mapperError("Failed to parse mapping: [properties] must be an object");
  for (const auto& [name, spec] : properties.items()) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    // A dotted name stands for objects too (`a.b` is field b of object a).
    if (const auto dot = path.rfind('.'); dot != std::string::npos) checkDepth(path.substr(0, dot));
    if (!spec.is_object()) throw mapperError("Failed to parse mapping: Expected map for property [fields] on field [" + path + "] but got a class java.lang.String");
    const auto typeIt = spec.find("type");
    if (typeIt == spec.end() || *typeIt == "object" || *typeIt == "nested") {
      if (fields_.count(path)) throw illegalArgument("can't merge a non object mapping [" + path + "] with an object mapping");
      checkDepth(path);
      objects_[path] = true;
      if (auto props = spec.find("properties"); props != spec.end()) addProperties(*props, path);
      continue;
    }
    if (!typeIt->is_string()) throw mapperError("Failed to parse mapping: type of field [" + path + "] must be a string");
    const auto type = fieldTypeFromString(typeIt->get<std::string>());
    if (!type) {
      throw mapperError("Failed to parse mapping: No handler for type [" + typeIt->get<std::string>() +
                        "] declared on field [" + name + "]");
    }
    if (auto existing = fields_.find(path); existing != fields_.end() && existing->second.type != *type) {
      throw illegalArgument("mapper [" + path + "] cannot be changed from type [" +
                            std::string(toString(existing->second.type)) + "] to [" + typeIt->get<std::string>() + "]");
    }
    FieldMapping field{*type, path, "", std::nullopt};
    if (auto above = spec.find("ignore_above"); above != spec.end() && above->is_number_unsigned()) {
      field.ignoreAbove = above->get<std::size_t>();
    }
    fields_[path] = field;
    if (auto subs = spec.find("fields"); subs != spec.end() && subs->is_object()) {
      for (const auto& [subName, subSpec] : subs->items()) {
        const auto subType = subSpec.is_object() && subSpec.contains("type") && subSpec["type"].is_string()
                                 ? fieldTypeFromString(subSpec["type"].get<std::string>())
                                 : std::nullopt;
        if (!subType) throw mapperError("Failed to parse mapping: multi-field [" + path + "." + subName + "] needs a supported type");
        FieldMapping sub{*subType, path, path, std::nullopt};
        if (auto above = subSpec.find("ignore_above"); above != subSpec.end() && above->is_number_unsigned()) {
          sub.ignoreAbove = above->get<std::size_t>();
        }
        fields_[path + "." + subName] = sub;
      }
    }
  }
}

std::size_t Mapping::newFieldCount(const std::map<std::string, FieldMapping>& added) const {
  std::size_t count = 0;
  std::set<std::string, std::less<>> objects;
  for (const auto& [name, field] : added) {
    if (!fields_.count(name)) ++count;
    if (!field.parent.empty()) continue;
    for (auto dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
      auto prefix = name.substr(0, dot);
      if (!objects_.count(prefix) && objects.insert(std::move(prefix)).second) ++count;
    }
  }
  return count;
}

EngineError totalFieldsExceeded(std::int64_t limit, std::int64_t adding) {
  return illegalArgument("Limit of total fields [" + std::to_string(limit) + "] has been exceeded while adding new fields [" +
                         std::to_string(adding) + "]");
}

void Mapping::merge(const std::map<std::string, FieldMapping>& fields) {
  for (const auto& [name, field] : fields) {
    fields_.emplace(name, field);
    // Every dotted prefix of a top-level field is an object.
    if (field.parent.empty()) {
      for (auto dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
        objects_[name.substr(0, dot)] = true;
      }
    }
  }
}

nlohmann::json Mapping::toJson() const {
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [name, field] : fields_) {
    if (!field.parent.empty()) continue;
    nlohmann::json* node = &properties;
    std::size_t start = 0;
    for (auto dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
      node = &(*node)[name.substr(start, dot - start)]["properties"];
      start = dot + 1;
    }
    nlohmann::json spec = {{"type", toString(field.type)}};
    if (field.ignoreAbove) spec["ignore_above"] = *field.ignoreAbove;
    (*node)[name.substr(start)] = spec;
  }
  for (const auto& [name, field] : fields_) {
    if (field.parent.empty()) continue;
    nlohmann::json* node = &properties;
    const std::string& parent = field.parent;
    std::size_t start = 0;
    for (auto dot = parent.find('.'); dot != std::string::npos; dot = parent.find('.', start)) {
      node = &(*node)[parent.substr(start, dot - start)]["properties"];
      start = dot + 1;
    }
    nlohmann::json spec = {{"type", toString(field.type)}};
    if (field.ignoreAbove) spec["ignore_above"] = *field.ignoreAbove;
    (*node)[parent.substr(start)]["fields"][name.substr(parent.size() + 1)] = spec;
  }
  return {{"properties", properties}};
}

void Mapping::checkDepth(const std::string& objectPath) const {
  // Elasticsearch's measure: the root is 1, each object one more (dots + 2).
  const auto depth = std::count(objectPath.begin(), objectPath.end(), '.') + 2;
  if (depth > depthLimit_) {
    throw illegalArgument("Limit of mapping depth [" + std::to_string(depthLimit_) +
                          "] has been exceeded due to object field [" + objectPath + "]");
  }
}

std::vector<IndexedValue> Mapping::extract(const nlohmann::json& source, const std::string& docId,
                                           std::map<std::string, FieldMapping>& added) const {
  if (!source.is_object()) throw mapperError("failed to parse, document is empty");
  std::vector<IndexedValue> out;
  walk(source, "", docId, added, out);
  return out;
}

void Mapping::walk(const nlohmann::json& object, const std::string& prefix, const std::string& docId,
                   std::map<std::string, FieldMapping>& added, std::vector<IndexedValue>& out) const {
  for (const auto& [key, value] : object.items()) {
    if (key.empty()) throw mapperError("field name cannot be an empty string");
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (prefix.empty() && key.starts_with('_') && (key == "_id" || key == "_index" || key == "_source" ||
                                                    key == "_version" || key == "_seq_no" || key == "_routing")) {
      throw mapperError("Field [" + key + "] is a metadata field and cannot be added inside a document. Use the index API request parameters.");
    }
    if (value.is_object()) {
      if (fields_.count(path) || (added.count(path) && added.at(path).parent.empty())) {
        const auto* field = fields_.count(path) ? &fields_.at(path) : &added.at(path);
        throw mapperError("failed to parse field [" + path + "] of type [" + std::string(toString(field->type)) +
                          "] in document with id '" + docId + "'. Preview of field's value: '" + preview(value) + "'");
      }
      checkDepth(path);  // before walking it: a document's nesting is the client's
      walk(value, path, docId, added, out);
      continue;
    }
    if (value.is_array()) {
      for (const auto& item : value) {
        if (item.is_object()) {
          checkDepth(path);
          walk(item, path, docId, added, out);
        } else if (item.is_array()) {
          throw mapperError("failed to parse field [" + path + "]: nested arrays are not supported");
        } else {
          leaf(path, item, docId, added, out);
        }
      }
      continue;
    }
    leaf(path, value, docId, added, out);
  }
}

void Mapping::leaf(const std::string& path, const nlohmann::json& value, const std::string& docId,
                   std::map<std::string, FieldMapping>& added, std::vector<IndexedValue>& out) const {
  if (value.is_null()) return;
  if (objects_.count(path)) {
    throw mapperError("object mapping for [" + path + "] tried to parse field [" + path +
                      "] as object, but found a concrete value");
  }
  const FieldMapping* field = find(path);
  if (!field) {
    auto it = added.find(path);
    if (it == added.end()) {
      // A dotted key stands for objects, which dynamic mapping adds.
      if (const auto dot = path.rfind('.'); dot != std::string::npos) checkDepth(path.substr(0, dot));
      FieldType type = FieldType::keyword;
      if (value.is_boolean()) {
        type = FieldType::boolean;
      } else if (value.is_number_integer()) {
        type = FieldType::long_;
      } else if (value.is_number()) {
        type = FieldType::float_;
      } else if (value.is_string() && looksLikeDate(value.get_ref<const std::string&>())) {
        type = FieldType::date;
      } else {
        type = FieldType::text;
      }
      it = added.emplace(path, FieldMapping{type, path, "", std::nullopt}).first;
      if (type == FieldType::text) {
        added.emplace(path + ".keyword", FieldMapping{FieldType::keyword, path, path, std::size_t{256}});
      }
    }
    field = &it->second;
  }
  const auto fail = [&](const FieldMapping& f) {
    return mapperError("failed to parse field [" + path + "] of type [" + std::string(toString(f.type)) +
                       "] in document with id '" + docId + "'. Preview of field's value: '" + preview(value) + "'");
  };
  auto converted = convertValue(field->type, value);
  if (!converted) throw fail(*field);
  out.push_back({path, field->type, std::move(*converted)});
  // Multi-fields read the same source value.
  const auto emitSubs = [&](const std::map<std::string, FieldMapping>& fields) {
    for (auto it = fields.lower_bound(path + "."); it != fields.end() && it->first.starts_with(path + "."); ++it) {
      if (it->second.parent != path) continue;
      auto sub = convertValue(it->second.type, value);
      if (!sub) throw fail(it->second);
      if (it->second.ignoreAbove && std::holds_alternative<std::string>(*sub) &&
          std::get<std::string>(*sub).size() > *it->second.ignoreAbove) {
        continue;
      }
      out.push_back({it->first, it->second.type, std::move(*sub)});
    }
  };
  emitSubs(fields_);
  emitSubs(added);
}

}  // namespace orrery::data
