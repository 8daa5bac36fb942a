// The contract's Caller for an HTTP request's authenticated user.
#pragma once

#include <orrery/async_search/async_search.hpp>
#include <orrery/http/request.hpp>

namespace orrery::async_search {

inline Caller callerOf(const http::Request& request) {
  return {request.user.username, request.user.authenticationType, request.user.apiKeyId, request.user.roles};
}

}  // namespace orrery::async_search
