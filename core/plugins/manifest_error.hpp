// Why a plugin manifest (or a plugin folder) was refused: the file, the field and a
// sentence an operator can act on. Discovery and the loader log text() as is.
#pragma once

#include <filesystem>
#include <string>

namespace orrery::plugins {

struct ManifestError {
  std::filesystem::path file;  // the manifest; for a folder-level discovery error, the folder
  std::string field;           // e.g. "requiredPlugins[1]"; empty when no one field is to blame
  std::string message;         // e.g. "expected a plugin id matching [a-z][a-z0-9_]*, got \"X\""

  // "<file>: field '<field>': <message>", or "<file>: <message>" without a field.
  std::string text() const {
    std::string out = file.string() + ": ";
    if (!field.empty()) out += "field '" + field + "': ";
    return out + message;
  }
};

}  // namespace orrery::plugins
