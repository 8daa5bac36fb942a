// libFuzzer target for the request path up to the router: Beast's request parser with
// the server's limits, the conversion to an SDK Request, target and query decoding, route
// lookup, the preboot fallback and the error bodies. Any bytes must end in a rejection or
// a response — never a crash, a hang or an exception — and every JSON body the server
// makes itself must be valid JSON.
#include <utility>  // Boost 1.74's Beast/Asio need it first

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/http/dispatcher.hpp"
#include "core/http/request_head.hpp"
#include "orrery/http/json_text.hpp"

namespace {

namespace bhttp = boost::beast::http;
using namespace orrery;
using namespace orrery::server;

class NullLogger final : public Logger {
 public:
  bool enabled(LogLevel) const override { return false; }
  void log(LogLevel, std::string_view, const LogFields&) override {}
  Logger& child(std::string_view) override { return *this; }
  const std::string& name() const override { return name_; }

 private:
  std::string name_ = "fuzz";
};

Task<http::Response> echoParams(http::Request& request) {
  std::string body = "{";
  for (const auto& [name, value] : request.params) {
    if (body.size() > 1) body += ',';
    http::appendJsonString(body, name);
    body += ':';
    http::appendJsonString(body, value);
  }
  body += '}';
  co_return http::Response::json(200, std::move(body));
}

struct Fixture {
  Fixture() {
    auto gate = std::make_shared<AuthGate>();
    gate->disable("fuzzing", "fuzz");
    gate->seal([](const std::string&) { return true; });
    for (auto* space : {main.get(), preboot.get()}) {
      for (const char* path : {"/api/items/{id}", "/api/items/_list", "/api/items/{id}/parts/{part}", "/"}) {
        if (space == main.get() && std::string_view(path) == "/") continue;
        space->kibana.add({nullptr, http::Method::get, path, {}, echoParams, {}, "fuzz"});
      }
      space->elasticsearch.add({nullptr, http::Method::post, "/{index}/_search", {}, echoParams, {}, "fuzz"});
      space->kibana.seal([](const std::string&) { return true; });
      space->elasticsearch.seal([](const std::string&) { return true; });
    }
    serving = std::make_unique<Dispatcher>(Phase::serving, main, gate, log, 1024);
    prebooting = std::make_unique<Dispatcher>(Phase::preboot, preboot, gate, log, 1024);
  }
  NullLogger log;
  std::shared_ptr<RouteSpace> main =
      std::make_shared<RouteSpace>(std::vector<std::string>{"/api", "/internal", "/app"}, "/es");
  std::shared_ptr<RouteSpace> preboot = std::make_shared<RouteSpace>(std::vector<std::string>{}, "/es");
  std::unique_ptr<Dispatcher> serving;
  std::unique_ptr<Dispatcher> prebooting;
};

void respond(const Dispatcher& dispatcher, const bhttp::request<bhttp::string_body>& head) {
  http::Request request = requestFromHead(head, "fuzz");
  auto prepared = dispatcher.prepare(request);
  if (!prepared.early) request.body = head.body();
  bool done = false;
  startTask(dispatcher.respond(request, std::move(prepared)),
            [&done](std::exception_ptr error, std::optional<http::Response> response) {
              // respond() turns every failure into a response; none completes otherwise.
              if (error || !response) std::abort();
              const auto type = response->headers.get("Content-Type");
              if (type && type->starts_with("application/json") && !nlohmann::json::accept(response->body)) {
                std::abort();
              }
              done = true;
            });
  if (!done) std::abort();  // nothing here suspends
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.eager(true);
  boost::asio::const_buffer input(data, size);
  boost::beast::error_code ec;
  while (input.size() > 0 && !parser.is_done()) {
    const auto used = parser.put(input, ec);
    if (ec == bhttp::error::need_more) break;
    if (ec) return 0;  // the server answers 400/413/431 and closes
    input += used;
    if (used == 0) break;
  }
  if (!parser.is_header_done()) return 0;
  respond(*fixture.serving, parser.get());
  respond(*fixture.prebooting, parser.get());
  return 0;
}
