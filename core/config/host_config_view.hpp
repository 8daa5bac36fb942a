// The SDK's HostConfig over the host's loaded config tree: what a preboot setup plugin may
// read of the host's configuration, and which file it would have to change.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

#include "orrery/host_config.hpp"

namespace orrery::config {

class HostConfigView final : public orrery::HostConfig {
 public:
  // `file` is made absolute against the current working folder.
  HostConfigView(nlohmann::json tree, const std::filesystem::path& file);

  const std::filesystem::path& file() const override { return file_; }
  bool isSet(std::string_view key) const override;
  std::optional<std::string> text(std::string_view key) const override;

 private:
  const nlohmann::json* find(std::string_view key) const;

  nlohmann::json tree_;
  std::filesystem::path file_;
};

}  // namespace orrery::config
