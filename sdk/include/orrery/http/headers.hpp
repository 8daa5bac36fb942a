// HTTP header fields: an ordered list with case-insensitive names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::http {

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const {
    for (const auto& [key, value] : fields_) {
      if (equalsIgnoreCase(key, name)) return std::string_view(value);
    }
    return std::nullopt;
  }
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field named `name` by one.
  void set(std::string name, std::string value) {
    remove(name);
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // Adds a field, keeping others of the same name (e.g. several WWW-Authenticate).
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  void remove(std::string_view name) {
    std::erase_if(fields_, [name](const Field& field) { return equalsIgnoreCase(field.first, name); });
  }
  const std::vector<Field>& all() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

}  // namespace orrery::http
