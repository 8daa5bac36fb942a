// Errors a route handler reports, and the two error body shapes of the HTTP surfaces:
//
//   Kibana style (/api, /internal, /app):  {"statusCode":404,"error":"Not Found","message":"..."}
//   Elasticsearch style (the /es mount):   {"error":{"root_cause":[{"type":..,"reason":..}],
//                                           "type":..,"reason":..},"status":404}
//
// A handler throws HttpError (or returns one of these bodies); the host renders a thrown
// HttpError in the shape of the surface the route is mounted on.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "orrery/http/headers.hpp"
#include "orrery/http/json_text.hpp"
#include "orrery/http/response.hpp"

namespace orrery::http {

// The Elasticsearch error type used when a handler names none.
inline std::string_view defaultErrorType(int status) noexcept {
  switch (status) {
    case 400: return "illegal_argument_exception";
    case 401:
    case 403: return "security_exception";
    case 404: return "resource_not_found_exception";
    case 405: return "method_not_allowed_exception";
    case 409: return "version_conflict_engine_exception";
    case 413: return "content_too_long_exception";
    case 429: return "es_rejected_execution_exception";
    case 503: return "status_exception";
    default: return status >= 500 ? "exception" : "illegal_argument_exception";
  }
}

class HttpError : public std::runtime_error {
 public:
  // `type` is the Elasticsearch error type (e.g. "index_not_found_exception"); empty
  // means defaultErrorType(status). Kibana-style bodies ignore it.
  HttpError(int status, std::string message, std::string type = {})
      : std::runtime_error(std::move(message)), status_(status), type_(std::move(type)) {}

  int status() const noexcept { return status_; }
  std::string_view type() const noexcept { return type_.empty() ? defaultErrorType(status_) : type_; }
  // Extra response headers, e.g. Retry-After or WWW-Authenticate.
  Headers& headers() noexcept { return headers_; }
  const Headers& headers() const noexcept { return headers_; }

 private:
  int status_;
  std::string type_;
  Headers headers_;
};

// 400 for a request field that is missing or has the wrong form; `field` names where,
// e.g. "request body.name" or "request query.size".
inline HttpError badField(std::string_view field, std::string_view problem) {
  // Appended piecewise: g++ 12 at -O3 warns (-Wrestrict) on the chained operator+ form.
  std::string message = "[";
  message.append(field).append("]: ").append(problem);
  return HttpError(400, std::move(message), "illegal_argument_exception");
}

inline Response kibanaError(int status, std::string_view message) {
  std::string body = "{\"statusCode\":" + std::to_string(status) + ",\"error\":";
  appendJsonString(body, reasonPhrase(status));
  body += ",\"message\":";
  appendJsonString(body, message);
  body += '}';
  return Response::json(status, std::move(body));
}

inline Response elasticsearchError(int status, std::string_view type, std::string_view reason) {
  std::string cause = "{\"type\":";
  appendJsonString(cause, type);
  cause += ",\"reason\":";
  appendJsonString(cause, reason);
  cause += '}';
  std::string body = "{\"error\":{\"root_cause\":[" + cause + "],";
  body.append(cause, 1, cause.size() - 2);  // the same type and reason, at the top level
  body += "},\"status\":" + std::to_string(status) + '}';
  return Response::json(status, std::move(body));
}

}  // namespace orrery::http
