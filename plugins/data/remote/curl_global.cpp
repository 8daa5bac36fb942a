#include "curl_global.hpp"

#include <curl/curl.h>

#include <mutex>
#include <thread>

namespace orrery::data {

std::string initCurlGlobally() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] {
    // On a thread of its own that ends at once: OpenSSL (initialised by curl) keeps
    // per-thread state for the initialising thread, freed when that thread ends. A
    // thread that ends only while the process exits (a pool or lifecycle thread, after
    // OpenSSL's exit cleanup ran) leaves it unfreed, and LeakSanitizer reports it
    // (tests/unit/data/test_curl_global.cpp). curl_global_init itself counts its callers
    // and is thread-safe (CURL_VERSION_THREADSAFE), so each plugin that links this
    // calling it once is harmless.
    std::thread([] { result = curl_global_init(CURL_GLOBAL_DEFAULT); }).join();
  });
  return result == CURLE_OK ? std::string() : std::string(curl_easy_strerror(result));
}

}  // namespace orrery::data
