// How a plugin registers HTTP routes: `router.get("/api/reports/{id}", handler)`.
//
// A handler is a coroutine returning Task<Response>. It runs on an I/O thread and must not
// block: blocking work goes through `co_await ctx.executors().blocking(...)`. The Request
// stays valid until the handler's task has finished. Throwing HttpError answers with that
// status in the error shape of the route's surface; any other exception is a 500 whose
// details go to the log, not to the client.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "orrery/http/request.hpp"
#include "orrery/http/response.hpp"
#include "orrery/task.hpp"

namespace orrery::http {

// Whether a route needs an authenticated user. `required` is the default: with security
// enabled, a request without valid credentials gets 401 before the handler runs.
// `optional` runs the handler for anonymous callers too (request.user tells which), and
// `none` skips authentication entirely.
enum class Auth { required, optional, none };

struct RouteOptions {
  Auth auth = Auth::required;
  // Largest accepted body in bytes; 0 means the server's `server.maxBodySize`.
  std::size_t maxBodyBytes = 0;
};

using Handler = std::function<Task<Response>(Request&)>;

// A path that is malformed or already taken (the message names the route and its owner).
class RouteError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Router {
 public:
  virtual ~Router() = default;

  // `path` is literal segments and `{name}` parameters, one per segment, e.g.
  // "/api/reports/{id}/download". Throws RouteError if it is malformed or taken.
  virtual void route(Method method, std::string_view path, Handler handler, RouteOptions options = {}) = 0;

  void get(std::string_view path, Handler handler, RouteOptions options = {}) {
    route(Method::get, path, std::move(handler), options);
  }
  void post(std::string_view path, Handler handler, RouteOptions options = {}) {
    route(Method::post, path, std::move(handler), options);
  }
  void put(std::string_view path, Handler handler, RouteOptions options = {}) {
    route(Method::put, path, std::move(handler), options);
  }
  void del(std::string_view path, Handler handler, RouteOptions options = {}) {
    route(Method::del, path, std::move(handler), options);
  }
};

}  // namespace orrery::http
