// Input checks shared by every backend, so each refuses bad input with the same message.
#pragma once

#include <string>
#include <string_view>

namespace orrery::storage {

// Throws StorageError(invalid) naming the document unless `body` is a JSON object.
void checkBody(std::string_view type, std::string_view id, std::string_view body);
// Throws StorageError(invalid) unless type and id are non-empty and at most 512 bytes.
void checkKey(std::string_view type, std::string_view id);
// Throws StorageError(invalid) unless `field` is a dotted path of names
// ([A-Za-z_][A-Za-z0-9_]*, separated by single dots).
void checkFieldPath(std::string_view field);

}  // namespace orrery::storage
