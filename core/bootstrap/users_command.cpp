#include "core/bootstrap/users_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/bootstrap/exit_codes.hpp"

#ifndef ORRERY_INSTALLED_MANIFESTS
#define ORRERY_INSTALLED_MANIFESTS "/usr/local/lib/orrery/manifests"
#endif

namespace orrery::bootstrap {

int runUsersCommand(int argc, char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto dir = ec ? std::filesystem::path(".") : self.parent_path();
  // Beside orrery; in the build tree, in the plugin's build folder; installed, beside the
  // security plugin under <libdir>/orrery/plugins/security.
  const std::filesystem::path installed =
      std::filesystem::path(ORRERY_INSTALLED_MANIFESTS).parent_path() / "plugins" / "security" / "orrery-users";
  const std::filesystem::path candidates[] = {dir / "orrery-users", dir / "plugins" / "security" / "orrery-users",
                                              installed};
  for (const auto& tool : candidates) {
    if (::access(tool.c_str(), X_OK) != 0) continue;
    std::vector<char*> args;
    std::string name = tool.string();
    args.push_back(name.data());
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    ::execv(tool.c_str(), args.data());
    std::fprintf(stderr, "orrery users: cannot run %s: %s\n", tool.c_str(), std::strerror(errno));
    return kExitSoftware;
  }
  std::fprintf(stderr, "orrery users: the security plugin's orrery-users tool is not installed (looked for %s, %s and %s)\n",
               candidates[0].c_str(), candidates[1].c_str(), candidates[2].c_str());
  return kExitFailure;
}

}  // namespace orrery::bootstrap
