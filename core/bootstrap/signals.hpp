// SIGINT and SIGTERM handling without async-signal-safety traps: the signals are blocked
// in every thread and one watcher thread receives them with sigwait and calls back in
// ordinary code. A second signal while stopping exits at once, as operators expect of a
// second Ctrl-C.
#pragma once

#include <functional>

namespace orrery::bootstrap {

// Must be called before any other thread is started, so every thread inherits the mask.
void blockStopSignals();

// Starts the watcher; `onStop` runs on the watcher thread for the first signal.
void watchStopSignals(std::function<void(int signal)> onStop);

}  // namespace orrery::bootstrap
