// The host: runs the stages of DESIGN.md in order.
//
//   read config → discover → validate → resolve dependency graph → load
//   → PREBOOT (preboot plugins' setup) → wait for setup holds → reload config if asked
//   → stop preboot plugins → SETUP → wait for start holds → START → READY
//   → SIGINT/SIGTERM → STOP in reverse order → exit 0
//
// "load" dlopens every enabled library, preboot and standard, and reads their config
// schemas before anything runs: an operator learns of an ABI mismatch or a bad config
// key at once, not after finishing a first-run setup page. Standard plugin objects are
// created only after preboot; a config reload re-plans them from the new config.
#pragma once

#include <memory>

#include "core/bootstrap/options.hpp"

namespace orrery::bootstrap {

class Host {
 public:
  explicit Host(Options options);
  ~Host();

  // Returns the process exit code.
  int run();
  // Thread-safe; from the signal watcher.
  void requestStop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace orrery::bootstrap
