// Holds on setup and start taken by preboot plugins, and the host's wait for them.
//
// Hold objects are shared with plugins and may outlive this service, so they point at a
// shared state. An unresolved hold whose last reference is dropped counts as rejected:
// otherwise a plugin that loses its handle would leave the host waiting forever.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "orrery/preboot.hpp"

namespace orrery::preboot {

struct WaitResult {
  enum class Kind { proceed, rejected, interrupted } kind = Kind::proceed;
  bool reloadConfig = false;   // setup holds only
  std::string reason;          // rejected: which plugin's hold, and why
};

class PrebootHolds {
 public:
  PrebootHolds();
  ~PrebootHolds();

  // The PrebootService a plugin sees: its holds are attributed to `pluginId`.
  std::unique_ptr<orrery::PrebootService> serviceFor(std::string pluginId);

  bool isSetupOnHold() const;
  bool isStartOnHold() const;
  // What is still holding, as "plugin: reason" lines, for logs.
  std::vector<std::string> pendingSetupHolds() const;
  std::vector<std::string> pendingStartHolds() const;

  // Block the calling thread (never an I/O thread) until every hold of that kind is
  // resolved, one is rejected, or interrupt() is called.
  WaitResult waitUntilCanSetup();
  WaitResult waitUntilCanStart();

  // Wakes the waits with `interrupted` (the host got SIGINT or SIGTERM).
  void interrupt();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace orrery::preboot
