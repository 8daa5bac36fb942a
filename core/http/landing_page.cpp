#include "core/http/landing_page.hpp"

namespace orrery::server {

namespace {
// By value: the frame owns its copy (a coroutine lambda's captures would stay in the lambda).
Task<http::Response> htmlPage(std::string page) { co_return http::Response::html(200, std::move(page)); }
}  // namespace

http::Handler landingPageHandler(std::string version) {
  std::string page =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Orrery</title>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>"
      "<body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem\">"
      "<h1>Orrery is running</h1><p>Version ";
  page.append(version).append(
      ".</p><ul><li><a href=\"/api/status\">/api/status</a>: the host's and each plugin's status</li>"
      "<li>Elasticsearch-compatible APIs are under the configured mount (<code>/es</code> by default)</li></ul>"
      "</body></html>");
  return [page = std::move(page)](http::Request&) { return htmlPage(page); };
}

}  // namespace orrery::server
