// Checks that a declared ConfigSchema is consistent before any operator value meets it.
#pragma once

#include <orrery/config.hpp>

#include <stdexcept>
#include <string_view>

namespace orrery::config {

// A schema that contradicts itself: a bug in the plugin (or core) that declared it, not
// in the operator's file, so it is a logic_error and names the section and the field.
class SchemaError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws SchemaError for: an empty key or key segment, a duplicate key, a key that is also
// the prefix of another (`tls` and `tls.cert`), a default of the wrong type, out of range
// or not in oneOf, a negative duration or byte-size default, a required key with a
// default, min > max or a NaN bound, bounds on a type without order, oneOf on a type
// without strings.
void checkSchema(const orrery::ConfigSchema& schema, std::string_view sectionPath);

}  // namespace orrery::config
