// libFuzzer target for the search engine's parsers of outside input: a search body (query
// DSL, sort, _source, aggregations, typed values, timeout), the URI parameters of _search
// (`size=abc&timeout=1ms&q=...`, as the router hands them over: split, decoded), the
// query_string syntax, and _bulk NDJSON. Any bytes
// must give a parsed value or an EngineError naming what was wrong — never a crash, a hang
// or another exception.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bulk.hpp"
#include "depth_limits.hpp"
#include "errors.hpp"
#include "query.hpp"
#include "search_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using orrery::data::EngineError;
  // Bounded as the /es routes and the local strategy parse bodies.
  nlohmann::json body;
  try {
    body = orrery::data::parseBoundedJson(text, orrery::kMaxJsonNestingDepth);
  } catch (const EngineError& error) {
    (void)error.body();
    body = nlohmann::json(nlohmann::json::value_t::discarded);
  }
  if (!body.is_discarded()) {
    try {
      auto request = orrery::data::parseSearchRequest(body);
      (void)request.needsScores();
    } catch (const EngineError& error) {
      (void)error.body();
    }
  }
  // The bytes as URI parameters: `&`-separated, each `key=value` (or a bare key).
  std::vector<std::pair<std::string, std::string>> params;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = std::min(text.find('&', start), text.size());
    const std::string part = text.substr(start, end - start);
    const auto equals = part.find('=');
    params.emplace_back(part.substr(0, equals), equals == std::string::npos ? "" : part.substr(equals + 1));
    start = end + 1;
  }
  try {
    orrery::data::SearchRequest request;
    orrery::data::applySearchParameters(request, params);
    (void)request.needsScores();
  } catch (const EngineError& error) {
    (void)error.body();
  }
  try {
    (void)orrery::data::parseQueryString(text, {{"*", 1.0}}, false, {orrery::data::TimeZone(), size % 2 == 0});
  } catch (const EngineError& error) {
    (void)error.body();
  }
  // The simple syntax throws only for nesting past the limit, whichever operators are on.
  const unsigned flags = size == 0 ? orrery::data::kSimpleAll : data[0] * 4u + static_cast<unsigned>(size % 4);
  try {
    (void)orrery::data::parseSimpleQueryString(text, {{"title", 1.0}}, true, flags & orrery::data::kSimpleAll);
  } catch (const EngineError& error) {
    if (error.type() != "illegal_argument_exception") throw;
  }
  try {
    (void)orrery::data::parseBulk(text, "fuzz");
  } catch (const EngineError& error) {
    (void)error.body();
  }
  return 0;
}
