// What a route handler returns: status, headers and body.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "orrery/http/headers.hpp"

namespace orrery::http {

// The standard reason phrase of `status` ("Not Found"), or "Unknown".
inline std::string_view reasonPhrase(int status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response json(int status, std::string body) {
    Response response{status, {}, std::move(body)};
    response.headers.set("Content-Type", "application/json; charset=utf-8");
    return response;
  }
  static Response text(int status, std::string body) {
    Response response{status, {}, std::move(body)};
    response.headers.set("Content-Type", "text/plain; charset=utf-8");
    return response;
  }
  static Response html(int status, std::string body) {
    Response response{status, {}, std::move(body)};
    response.headers.set("Content-Type", "text/html; charset=utf-8");
    return response;
  }
  static Response redirect(std::string location, int status = 302) {
    Response response{status, {}, {}};
    response.headers.set("Location", std::move(location));
    return response;
  }
};

}  // namespace orrery::http
