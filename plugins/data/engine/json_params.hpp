// Typed reads of the values in a request (search bodies, aggregation parameters, update
// bodies, URI parameters): each checks the value's JSON type and range and, when it does
// not fit, throws the 400 Elasticsearch answers, naming the parser and the field —
// x_content_parse_exception "[terms] failed to parse field [size]" with a caused_by that
// says why. nlohmann's own get<T>() would throw a type_error naming neither, which the
// HTTP layer can only answer with a 500.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "errors.hpp"

namespace orrery::data {

// "[where] failed to parse field [field]", caused by an illegal_argument_exception `why`.
EngineError fieldParseError(std::string_view where, std::string_view field, const std::string& why);

// An integer as Elasticsearch's int fields read one: a JSON integer, a number with a
// fraction (truncated) or a numeric string, within Java's int range.
std::int32_t readInt(const nlohmann::json& v, std::string_view where, std::string_view field);
// The same within Java's long range.
std::int64_t readLong(const nlohmann::json& v, std::string_view where, std::string_view field);
// A finite number, or a numeric string.
double readDouble(const nlohmann::json& v, std::string_view where, std::string_view field);
// true/false, or the strings "true"/"false" (Elasticsearch accepts nothing else).
bool readBoolean(const nlohmann::json& v, std::string_view where, std::string_view field);
// A string; numbers and booleans as their text, as Elasticsearch's text() reads them.
std::string readText(const nlohmann::json& v, std::string_view where, std::string_view field);

// The 400 for a nlohmann exception that escaped the typed reads (the safety net of the
// request handlers): never a 500 for a client's value.
EngineError jsonValueError(const nlohmann::json::exception& error);

}  // namespace orrery::data
