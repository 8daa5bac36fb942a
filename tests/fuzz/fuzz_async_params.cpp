// libFuzzer target for the async search plugin's inputs: the bytes split into URL
// parameters (`name=value` separated by `&`; a line break starts the body) are parsed as a
// submit's, a get's and a status's parameters, and the path segment as an id. Any bytes
// must be accepted or refused with an AsyncSearchError of status 400 (Elasticsearch's
// answer to bad parameters), never crash; what is accepted keeps its promises (a
// keep_alive between 1s and the maximum, batched_reduce_size at least 2). The body is
// also read as a remote cluster's answer, as a stored document and as a response whose
// typed keys come off: refused with the documented errors or read, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "async_id.hpp"
#include "parameters.hpp"
#include "remote_answers.hpp"
#include "search_record.hpp"
#include "typed_keys.hpp"

namespace {

void require(bool promise) {
  if (!promise) std::abort();
}

orrery::async_search::QueryParameters split(std::string_view query) {
  orrery::async_search::QueryParameters out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto item = query.substr(0, amp);
    const auto eq = item.find('=');
    out.emplace_back(std::string(item.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orrery::async_search;
  using namespace std::chrono_literals;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto query = split(input.substr(0, newline));
  const std::string body(newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1));
  const KeepAliveLimits limits{.defaultKeepAlive = 5min, .maxKeepAlive = 1h};
  try {
    const auto request = parseSubmitParameters(query, body, limits);
    require(request.keepAlive && *request.keepAlive >= 1s && *request.keepAlive <= 1h);
    require(request.batchedReduceSize >= 2);
    require(request.waitForCompletion.count() >= 0);
  } catch (const AsyncSearchError& error) {
    require(error.status() == 400);
  }
  try {
    const auto options = parseGetParameters(query, limits);
    require(!options.keepAlive || (*options.keepAlive >= 1s && *options.keepAlive <= 1h));
    require(options.waitForCompletion.count() >= 0);
  } catch (const AsyncSearchError& error) {
    require(error.status() == 400);
  }
  try {
    const auto keepAlive = parseStatusParameters(query, limits);
    require(!keepAlive || (*keepAlive >= 1s && *keepAlive <= 1h));
  } catch (const AsyncSearchError& error) {
    require(error.status() == 400);
  }
  (void)suggestOnly(body);
  for (const int status : {200, 400, 404}) {
    try {
      (void)resultFromCluster(status, body, std::string("own"));
    } catch (const AsyncSearchError&) {
      // the cluster's error, or a body that is not an answer
    }
    (void)lacksAsyncSearch(status, body);
  }
  (void)clusterSearchId(body);
  (void)withoutTypedKeys(body);
  try {
    (void)recordFromDocument("id", body);
  } catch (const std::invalid_argument&) {
    // a malformed stored document is named as such
  }
  if (wellFormedAsyncId(input)) require(input.size() == kAsyncIdLength);
  return 0;
}
