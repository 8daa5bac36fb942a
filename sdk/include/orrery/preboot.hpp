// Holds on the host's start-up sequence, for preboot plugins (seed 003).
//
// A preboot plugin that needs an operator (e.g. a first-run setup page) holds setup:
//
//   hold_ = ctx.preboot().holdSetupUntilResolved("waiting for the operator");
//   // ... later, from any thread, once the operator has saved the new config:
//   hold_->resolve({.reloadConfig = true});
//
// The host proceeds to setup once every setup hold is resolved, reloading the config
// first if any resolution asked for it. `reject(reason)` — or dropping the last reference
// to an unresolved hold — stops the host with that reason and a non-zero exit code.
#pragma once

#include <memory>
#include <string>

namespace orrery {

struct SetupHoldResult {
  bool reloadConfig = false;
};

class SetupHold {
 public:
  virtual ~SetupHold() = default;
  // Only the first resolve or reject counts; both are thread-safe.
  virtual void resolve(SetupHoldResult result) = 0;
  virtual void reject(std::string reason) = 0;
};

class StartHold {
 public:
  virtual ~StartHold() = default;
  virtual void resolve() = 0;
  virtual void reject(std::string reason) = 0;
};

class PrebootService {
 public:
  virtual ~PrebootService() = default;

  virtual bool isSetupOnHold() const = 0;
  virtual bool isStartOnHold() const = 0;
  virtual std::shared_ptr<SetupHold> holdSetupUntilResolved(std::string reason) = 0;
  virtual std::shared_ptr<StartHold> holdStartUntilResolved(std::string reason) = 0;
};

}  // namespace orrery
