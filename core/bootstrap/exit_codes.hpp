// The host's exit codes (sysexits.h values where one fits, so service managers and
// scripts can tell configuration mistakes from crashes).
#pragma once

namespace orrery::bootstrap {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // a preboot hold was rejected, a fatal runtime error
inline constexpr int kExitUsage = 64;      // EX_USAGE: bad command line
inline constexpr int kExitSoftware = 70;   // EX_SOFTWARE: an internal error
inline constexpr int kExitConfig = 78;     // EX_CONFIG: bad config, manifests or dependency graph

}  // namespace orrery::bootstrap
