// curl's process-wide initialisation (plugins/data/remote/curl_global.hpp) leaves nothing
// on the thread that asks for it. OpenSSL, which curl_global_init initialises, keeps
// per-thread state for the initialising thread; when that thread ends while the process
// exits (after OpenSSL's own exit cleanup, as a pool or lifecycle thread may) the state
// is never freed, and LeakSanitizer reports 904 bytes from CRYPTO_zalloc (OpenSSL 3.0).
// Here the asking thread ends exactly then, and the sanitizer build's leak check at exit
// is the assertion: it fails this executable if the state was left on that thread. Its
// own executable, since the thread deliberately outlives the test case.
#include <doctest/doctest.h>
#include <curl/curl.h>

#include <future>
#include <string>
#include <thread>

#include "curl_global.hpp"

namespace {

// Made before curl is initialised, so destroyed after OpenSSL's exit cleanup (exit runs
// them in reverse order); its destruction wakes the asking thread, which then ends.
std::promise<void>& untilExit() {
  static std::promise<void> signal;
  return signal;
}

}  // namespace

TEST_CASE("curl initialises once, off the asking thread, and is usable from any thread") {
  std::promise<std::string> asked;
  auto answer = asked.get_future();
  auto exiting = untilExit().get_future();
  // The thread owns its promise: nothing it touches is destroyed under it.
  std::thread([asked = std::move(asked), exiting = std::move(exiting)]() mutable {
    asked.set_value(orrery::data::initCurlGlobally());
    exiting.wait();
  }).detach();
  CHECK(answer.get().empty());
  CHECK(orrery::data::initCurlGlobally().empty());  // a second call is harmless
  std::string used;
  std::thread([&used] {
    CURL* handle = curl_easy_init();
    used = handle ? "ok" : "no handle";
    curl_easy_cleanup(handle);
  }).join();
  CHECK(used == "ok");
}
