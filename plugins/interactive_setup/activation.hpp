// When the first-run setup runs. The rule (README.md, "First run"): interactive setup is
// active only when it is enabled AND the configuration names no data connection (none of
// data.search.defaultStrategy, data.local.path, data.elasticsearch.hosts is set) AND the
// users file holds no user with the superuser role. Either one configured means an
// operator has set the host up, so it never enters setup.
#pragma once

#include <filesystem>
#include <string>

#include <orrery/host_config.hpp>

namespace orrery::interactive_setup {

struct Activation {
  bool active = false;
  std::string reason;  // why, for the log
};

// The users file the security plugin reads: security.usersFile relative to the data
// folder, or <data>/security/users.yml.
std::filesystem::path usersFileFor(const HostConfig& config, const std::filesystem::path& dataPath);

bool namesDataConnection(const HostConfig& config);

// Reads the users file (which may not exist). An unreadable or invalid users file counts
// as "configured": setup must never overwrite a file it could not read.
Activation decideActivation(bool enabled, const HostConfig& config, const std::filesystem::path& usersFile);

}  // namespace orrery::interactive_setup
