// From a request head parsed by Beast to the SDK's Request: method, target, headers and
// request id. Shared by the connection code and the request-path fuzz target, so the
// fuzzer exercises exactly what the server runs.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/verb.hpp>
#include <string>

#include "core/http/request_id.hpp"
#include "orrery/http/request.hpp"

namespace orrery::server {

inline http::Method toMethod(boost::beast::http::verb method) {
  using verb = boost::beast::http::verb;
  switch (method) {
    case verb::get: return http::Method::get;
    case verb::head: return http::Method::head;
    case verb::post: return http::Method::post;
    case verb::put: return http::Method::put;
    case verb::patch: return http::Method::patch;
    case verb::delete_: return http::Method::del;
    case verb::options: return http::Method::options;
    default: return http::Method::other;
  }
}

template <class Fields>
http::Request requestFromHead(const boost::beast::http::request_header<Fields>& head, std::string remoteAddress) {
  http::Request request;
  request.method = toMethod(head.method());
  request.methodName = std::string(head.method_string());
  request.target = std::string(head.target());
  for (const auto& field : head) request.headers.add(std::string(field.name_string()), std::string(field.value()));
  request.requestId = requestIdFor(request.headers.get("X-Request-Id"));
  request.remoteAddress = std::move(remoteAddress);
  return request;
}

}  // namespace orrery::server
