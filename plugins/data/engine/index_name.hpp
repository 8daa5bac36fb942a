// What an index name may be: the one check every path that takes a name from outside
// (URL segment, bulk action line, `_index` in a body, creation, auto-creation) goes
// through, before the name reaches anything else. Elasticsearch's rules (lowercase; none
// of \ / * ? " < > | , # : or space; not . or ..; no leading - _ +; at most 255 bytes),
// plus: no byte below 0x20, no 0x7f, valid UTF-8 — so a name can never cut a C string
// (NUL), a log line or a path. Names never become paths anyway (an index's folder is
// named by its uuid); this keeps them printable and unambiguous everywhere else.
#pragma once

#include <string>
#include <string_view>

namespace orrery::data {

inline constexpr std::size_t kMaxIndexNameBytes = 255;

// Throws invalid_index_name_exception (400) naming the first rule `name` breaks.
void validateIndexName(std::string_view name);
// One part of an index expression that holds a `*` (`logs-*`): the same byte rules
// (control bytes, UTF-8, length, the forbidden characters other than `*`); it is only
// matched against names, never created.
void validateIndexPattern(std::string_view pattern);
// `text` with control bytes, 0x7f and bytes that are not UTF-8 written as \xNN: a name as
// it may appear in a message or a log line.
std::string printableName(std::string_view text);

}  // namespace orrery::data
