#include "core/bootstrap/signals.hpp"

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace orrery::bootstrap {

namespace {
sigset_t stopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void blockStopSignals() {
  const sigset_t set = stopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void watchStopSignals(std::function<void(int signal)> onStop) {
  std::thread([onStop = std::move(onStop)] {
    const sigset_t set = stopSignals();
    int received = 0;
    if (sigwait(&set, &received) != 0) return;
    onStop(received);
    if (sigwait(&set, &received) != 0) return;
    static const char message[] = "orrery: second stop signal, exiting without finishing the stop\n";
    (void)!write(STDERR_FILENO, message, sizeof message - 1);
    _exit(128 + received);
  }).detach();
}

}  // namespace orrery::bootstrap
