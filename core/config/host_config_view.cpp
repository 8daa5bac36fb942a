#include "core/config/host_config_view.hpp"

namespace orrery::config {

HostConfigView::HostConfigView(nlohmann::json tree, const std::filesystem::path& file)
    : tree_(std::move(tree)), file_(std::filesystem::absolute(file).lexically_normal()) {}

const nlohmann::json* HostConfigView::find(std::string_view key) const {
  const nlohmann::json* node = &tree_;
  while (!key.empty()) {
    const auto dot = key.find('.');
    const auto part = key.substr(0, dot);
    if (!node->is_object()) return nullptr;
    const auto it = node->find(std::string(part));
    if (it == node->end()) return nullptr;
    node = &*it;
    key = dot == std::string_view::npos ? std::string_view{} : key.substr(dot + 1);
  }
  return node;
}

bool HostConfigView::isSet(std::string_view key) const {
  const auto* node = find(key);
  if (node == nullptr || node->is_null()) return false;
  if (node->is_string()) return !node->get_ref<const std::string&>().empty();
  if (node->is_array() || node->is_object()) return !node->empty();
  return true;
}

std::optional<std::string> HostConfigView::text(std::string_view key) const {
  const auto* node = find(key);
  if (node == nullptr || node->is_null() || node->is_array() || node->is_object()) return std::nullopt;
  if (node->is_string()) return node->get<std::string>();
  return node->dump();
}

}  // namespace orrery::config
