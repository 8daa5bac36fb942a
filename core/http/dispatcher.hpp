// From a parsed request to a response, without any I/O: the part of the server that
// knows about surfaces, routes, phases and authentication. The connection code (Beast)
// calls prepare() once the head is read — to learn the body limit, or to answer at once —
// then admit() — authentication needs only the head, so a request that fails it is
// answered before a byte of its body is read — and respond() once the body is in.
//
// Phases follow the host's stages:
//   preboot   preboot plugins' routes; other /api, /internal and mount paths answer 503
//             with Retry-After, any other path redirects to the preboot page ("/") with
//             ?next= carrying the original path and query.
//   starting  preboot is over, standard plugins are being set up: everything is 503.
//   serving   the standard plugins' routes, behind the authentication gate. An /api or
//             /internal path that only a preboot plugin served answers 400 "outside of
//             preboot" rather than 404: the caller is talking to a setup step that is over.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/auth_gate.hpp"
#include "core/http/route_table.hpp"
#include "orrery/http/error.hpp"
#include "orrery/http/request.hpp"
#include "orrery/http/response.hpp"
#include "orrery/logger.hpp"
#include "orrery/task.hpp"

namespace orrery::server {

enum class Surface { kibana, elasticsearch };
enum class Phase { preboot, starting, serving };

// Every route of one phase: absolute Kibana-style routes, and Elasticsearch-compatible
// routes relative to the mount.
struct RouteSpace {
  RouteSpace(std::vector<std::string> kibanaPrefixes, std::string mount)
      : kibana(std::move(kibanaPrefixes)), elasticsearchMount(std::move(mount)) {}
  RouteTable kibana;
  RouteTable elasticsearch;
  std::string elasticsearchMount;
};

struct Prepared {
  Surface surface = Surface::kibana;
  RouteLookup lookup;
  std::size_t bodyLimit = 0;
  // Set when the request is answered without a handler (bad target, no route, a phase
  // that serves nothing, failed authentication); the connection then leaves the body unread.
  std::optional<http::Response> early;
  bool admitted = false;  // admit() ran
};

class Dispatcher {
 public:
  // `prebootRoutes` (serving phase only, may be null): the routes preboot served.
  Dispatcher(Phase phase, std::shared_ptr<RouteSpace> routes, std::shared_ptr<const AuthGate> gate,
             orrery::Logger& log, std::size_t maxBodyBytes, std::shared_ptr<const RouteSpace> prebootRoutes = nullptr);

  Phase phase() const { return phase_; }

  // `request` has method, target, headers and request id. Fills path, query and params.
  Prepared prepare(http::Request& request) const;
  // Authenticates from the head alone (serving phase): sets request.user, or makes the
  // request `early` with the 401/503 it gets. Never throws.
  Task<Prepared> admit(http::Request& request, Prepared prepared) const;
  // Runs the handler (after admit(), which it runs itself if the caller did not); never
  // throws (errors become responses).
  Task<http::Response> respond(http::Request& request, Prepared prepared) const;

  // The surface a raw path belongs to (for errors the connection raises itself).
  Surface surfaceOf(std::string_view rawPath) const;
  static http::Response errorResponse(Surface surface, int status, std::string_view message,
                                      std::string_view type = {});
  // A thrown error's status, message, type and headers (e.g. WWW-Authenticate).
  static http::Response errorResponse(Surface surface, const http::HttpError& error);

 private:
  http::Response prebootFallback(const http::Request& request, Surface surface) const;
  http::Response notRouted(const http::Request& request, Surface surface, const RouteLookup& lookup) const;

  bool servedOnlyInPreboot(const http::Request& request, std::string_view rawPath) const;

  Phase phase_;
  std::shared_ptr<RouteSpace> routes_;
  std::shared_ptr<const RouteSpace> prebootRoutes_;
  std::shared_ptr<const AuthGate> gate_;
  orrery::Logger& log_;
  std::size_t maxBodyBytes_;
};

}  // namespace orrery::server
