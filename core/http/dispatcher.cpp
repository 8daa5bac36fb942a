#include "core/http/dispatcher.hpp"

#include <algorithm>

#include "core/http/percent_decoding.hpp"
#include "orrery/executors.hpp"
#include "orrery/http/error.hpp"

namespace orrery::server {

namespace {

constexpr std::string_view kRetryAfterSeconds = "5";

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/');
}

// Percent-encodes everything but unreserved characters and '/', for a ?next= value.
std::string encodeQueryValue(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0xF];
    }
  }
  return out;
}

// GET routes answer HEAD too, so an Allow list with GET names HEAD as well.
std::string methodList(const std::vector<http::Method>& methods) {
  std::string out;
  for (const auto method : methods) {
    out += (out.empty() ? "" : ", ") + std::string(http::toString(method));
    if (method == http::Method::get && std::find(methods.begin(), methods.end(), http::Method::head) == methods.end()) {
      out += ", HEAD";
    }
  }
  return out;
}

}  // namespace

Dispatcher::Dispatcher(Phase phase, std::shared_ptr<RouteSpace> routes, std::shared_ptr<const AuthGate> gate,
                       orrery::Logger& log, std::size_t maxBodyBytes, std::shared_ptr<const RouteSpace> prebootRoutes)
    : phase_(phase),
      routes_(std::move(routes)),
      prebootRoutes_(std::move(prebootRoutes)),
      gate_(std::move(gate)),
      log_(log),
      maxBodyBytes_(maxBodyBytes) {}

bool Dispatcher::servedOnlyInPreboot(const http::Request& request, std::string_view rawPath) const {
  if (phase_ != Phase::serving || !prebootRoutes_) return false;
  if (!under(request.path, "/api") && !under(request.path, "/internal")) return false;
  const auto kind = prebootRoutes_->kibana.find(request.method, rawPath).kind;
  return kind == RouteLookup::Kind::found || kind == RouteLookup::Kind::methodNotAllowed;
}

Surface Dispatcher::surfaceOf(std::string_view rawPath) const {
  return under(rawPath, routes_->elasticsearchMount) ? Surface::elasticsearch : Surface::kibana;
}

http::Response Dispatcher::errorResponse(Surface surface, int status, std::string_view message, std::string_view type) {
  if (surface == Surface::elasticsearch) {
    return http::elasticsearchError(status, type.empty() ? http::defaultErrorType(status) : type, message);
  }
  return http::kibanaError(status, message);
}

http::Response Dispatcher::prebootFallback(const http::Request& request, Surface surface) const {
  const bool api = surface == Surface::elasticsearch || under(request.path, "/api") || under(request.path, "/internal");
  if (api || request.path == "/") {
    auto response = api ? errorResponse(surface, 503, "Orrery is in preboot: it will serve this path once set up")
                        : http::Response::html(503, "<!doctype html><title>Orrery</title><p>Orrery is starting.</p>");
    response.headers.set("Retry-After", std::string(kRetryAfterSeconds));
    return response;
  }
  // The original path and query, in origin form and with a single leading '/': a
  // "//host/..." value would send whoever follows ?next= off-site.
  std::string original = originForm(request.target);
  const auto firstKept = original.find_first_not_of('/');
  if (firstKept == std::string::npos) {
    original = "/";
  } else if (firstKept == 0) {
    original.insert(0, "/");
  } else {
    original.erase(0, firstKept - 1);
  }
  return http::Response::redirect("/?next=" + encodeQueryValue(original));
}

http::Response Dispatcher::notRouted(const http::Request& request, Surface surface, const RouteLookup& lookup) const {
  if (phase_ == Phase::preboot) return prebootFallback(request, surface);
  const std::string method = request.method == http::Method::other ? request.methodName
                                                                     : std::string(http::toString(request.method));
  if (lookup.kind == RouteLookup::Kind::methodNotAllowed) {
    auto response = errorResponse(surface, 405,
                                  surface == Surface::elasticsearch
                                      ? "Incorrect HTTP method for uri [" + request.target + "] and method [" + method +
                                            "], allowed: [" + methodList(lookup.allowed) + "]"
                                      : "Method " + method + " is not allowed on " + request.path);
    response.headers.set("Allow", methodList(lookup.allowed));
    return response;
  }
  if (surface == Surface::elasticsearch) {
    // What Elasticsearch says for an endpoint it does not have.
    return errorResponse(surface, 400, "no handler found for uri [" + request.target + "] and method [" + method + "]");
  }
  return errorResponse(surface, 404, "Not Found");
}

Prepared Dispatcher::prepare(http::Request& request) const {
  Prepared prepared;
  std::string error;
  auto target = parseTarget(request.target, error);
  if (!target) {
    prepared.surface = surfaceOf(request.target);
    prepared.early = errorResponse(prepared.surface, 400, error);
    return prepared;
  }
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  prepared.surface = surfaceOf(target->rawPath);

  if (phase_ == Phase::starting) {
    auto response = prepared.surface == Surface::elasticsearch || under(request.path, "/api") ||
                            under(request.path, "/internal")
                        ? errorResponse(prepared.surface, 503, "Orrery is starting")
                        : http::Response::html(503, "<!doctype html><title>Orrery</title><p>Orrery is starting.</p>");
    response.headers.set("Retry-After", std::string(kRetryAfterSeconds));
    prepared.early = std::move(response);
    return prepared;
  }

  std::string_view routedPath = target->rawPath;
  const RouteTable* table = &routes_->kibana;
  if (prepared.surface == Surface::elasticsearch) {
    routedPath.remove_prefix(routes_->elasticsearchMount.size());
    if (routedPath.empty()) routedPath = "/";
    table = &routes_->elasticsearch;
  }
  prepared.lookup = table->find(request.method, routedPath);
  switch (prepared.lookup.kind) {
    case RouteLookup::Kind::found: {
      const auto limit = prepared.lookup.route->options.maxBodyBytes;
      prepared.bodyLimit = limit != 0 ? limit : maxBodyBytes_;
      request.params = std::move(prepared.lookup.params);
      return prepared;
    }
    case RouteLookup::Kind::badPath:
      prepared.early = errorResponse(prepared.surface, 400, "the request path has an invalid percent-encoding");
      return prepared;
    default:
      if (prepared.surface == Surface::kibana && servedOnlyInPreboot(request, routedPath)) {
        prepared.early = errorResponse(prepared.surface, 400, "Cannot process request outside of preboot stage.");
        return prepared;
      }
      prepared.early = notRouted(request, prepared.surface, prepared.lookup);
      return prepared;
  }
}

namespace {

// A full pool queue: Elasticsearch's 429 under the mount, "come back later" elsewhere.
http::HttpError rejectedError(Surface surface, const orrery::RejectedExecution& error) {
  http::HttpError failure(surface == Surface::elasticsearch ? 429 : 503, error.what(), "es_rejected_execution_exception");
  failure.headers().set("Retry-After", std::string(kRetryAfterSeconds));
  return failure;
}

}  // namespace

Task<Prepared> Dispatcher::admit(http::Request& request, Prepared prepared) const {
  prepared.admitted = true;
  request.user = http::User::anonymous();
  // Preboot routes belong to the first-run setup, before any security plugin runs.
  if (prepared.early || phase_ != Phase::serving) co_return prepared;
  const auto& route = *prepared.lookup.route;
  try {
    co_await gate_->authenticate(request, route.options.auth);
  } catch (const orrery::RejectedExecution& error) {
    // Password hashing refused by its full pool: come back later, as for a route's work.
    prepared.early = errorResponse(prepared.surface, rejectedError(prepared.surface, error));
  } catch (const http::HttpError& error) {
    prepared.early = errorResponse(prepared.surface, error);
  } catch (const std::exception& error) {
    log_.error("authenticating a request for " + route.pattern + " failed: " + error.what(),
               {{"requestId", request.requestId}});
    prepared.early = errorResponse(prepared.surface, 500, "An internal server error occurred.");
  } catch (...) {
    log_.error("authenticating a request for " + route.pattern + " failed with a non-standard exception",
               {{"requestId", request.requestId}});
    prepared.early = errorResponse(prepared.surface, 500, "An internal server error occurred.");
  }
  co_return prepared;
}

http::Response Dispatcher::errorResponse(Surface surface, const http::HttpError& error) {
  auto response = errorResponse(surface, error.status(), error.what(), error.type());
  for (const auto& [name, value] : error.headers().all()) response.headers.add(name, value);
  return response;
}

Task<http::Response> Dispatcher::respond(http::Request& request, Prepared prepared) const {
  if (!prepared.admitted) prepared = co_await admit(request, std::move(prepared));
  if (prepared.early) co_return std::move(*prepared.early);
  const auto& route = *prepared.lookup.route;
  std::optional<http::Response> response;
  std::optional<http::HttpError> failure;
  try {
    response.emplace(co_await route.handler(request));
  } catch (const orrery::RejectedExecution& error) {
    failure.emplace(rejectedError(prepared.surface, error));
  } catch (const http::HttpError& error) {
    failure.emplace(error);
  } catch (const std::exception& error) {
    log_.error("route " + route.pattern + " of plugin '" + route.owner + "' threw: " + error.what(),
               {{"requestId", request.requestId}, {"plugin", route.owner}});
    failure.emplace(500, "An internal server error occurred.");
  } catch (...) {
    log_.error("route " + route.pattern + " of plugin '" + route.owner + "' threw a non-standard exception",
               {{"requestId", request.requestId}, {"plugin", route.owner}});
    failure.emplace(500, "An internal server error occurred.");
  }
  if (failure) response = errorResponse(prepared.surface, *failure);
  co_return std::move(*response);
}

}  // namespace orrery::server
