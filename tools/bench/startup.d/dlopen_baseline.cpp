// Baseline for tools/bench/startup: dlopen every library named on the command line with
// RTLD_LOCAL | RTLD_NOW (local symbol scope, as the host loads plugins), then exit.
// The bench times this program from exec to exit, like the host from exec to ready, so
// both include process start; it also prints the in-process dlopen time in ms.
#include <dlfcn.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  for (int i = 1; i < argc; ++i) {
    if (dlopen(argv[i], RTLD_LOCAL | RTLD_NOW) == nullptr) {
      std::fprintf(stderr, "dlopen_baseline: %s\n", dlerror());
      return 1;
    }
  }
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  std::printf("%.3f\n", took.count());
  return 0;
}
