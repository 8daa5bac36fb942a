// A host that a test starts, waits for until ready, and stops cleanly (exit 0) at the
// end: the shape most HTTP tests need. Tests that prepare files first (users, config)
// fill `setup` and then call start().
#pragma once

#include <doctest/doctest.h>

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host_setup.hpp"
#include "http_client.hpp"

namespace harness {

struct RunningHost {
  RunningHost() = default;
  RunningHost(const RunningHost&) = delete;
  RunningHost& operator=(const RunningHost&) = delete;
  ~RunningHost() { stop(); }

  void start(std::vector<std::string> extraArgs = {}) {
    process = setup.start(std::move(extraArgs));
    REQUIRE_MESSAGE(process->waitForOutput("orrery ready in"), process->output());
    port = listeningPort(*process);
  }
  void stop() {
    if (!process) return;
    process->signal(SIGTERM);
    const int code = process->waitExit().value_or(-1);
    CHECK_MESSAGE(code == 0, process->output());  // a sanitizer's report is in the output
    process.reset();
  }

  HostSetup setup;
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;
};

}  // namespace harness
