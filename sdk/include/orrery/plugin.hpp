// The interfaces a plugin implements.
//
// Lifecycle functions are synchronous and must return quickly: start asynchronous work
// on the executors instead of waiting for it. Each call runs under a deadline
// (`plugins.lifecycle.timeout`, default 10s; a warning after `plugins.lifecycle.warnAfter`).
// A call that throws or overruns marks the plugin failed, disables the plugins that
// require it, and the host goes on without them.
//
// If setup() succeeded, stop() is called exactly once, in reverse dependency order.
#pragma once

#include "orrery/context.hpp"

namespace orrery {

class Plugin {
 public:
  virtual ~Plugin() = default;

  virtual void setup(SetupContext& ctx) = 0;
  virtual void start(StartContext& ctx) { (void)ctx; }
  virtual void stop() {}
};

// Runs during preboot, before standard plugins exist; may hold setup or start (see
// orrery/preboot.hpp). Has no start stage: preboot plugins are stopped before setup.
class PrebootPlugin {
 public:
  virtual ~PrebootPlugin() = default;

  virtual void setup(PrebootContext& ctx) = 0;
  virtual void stop() {}
};

}  // namespace orrery

#include "orrery/export.hpp"
