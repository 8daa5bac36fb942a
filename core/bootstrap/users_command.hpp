// `orrery users ...`: the operator's way to manage the security plugin's users file. The
// work is done by the plugin's own tool, `orrery-users` (the users file format belongs to
// the plugin, not the core); this finds it and runs it in place of this process.
#pragma once

namespace orrery::bootstrap {

// Execs orrery-users with argv[2...]; returns an exit code only if that fails.
int runUsersCommand(int argc, char** argv);

}  // namespace orrery::bootstrap
