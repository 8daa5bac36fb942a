// Assertions on Elasticsearch-shaped answers under /es, shared by the integration tests.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "http_client.hpp"

namespace harness {

// `result` is Elasticsearch's error envelope with this status and type (and reason, when
// given): {"error":{"root_cause":[{"type",...}],"type","reason"},"status"}.
inline void checkElasticsearchError(const HttpResult& result, int status, const std::string& type,
                                    const std::string& reason = {}) {
  CAPTURE(result.body);
  CHECK(result.status == status);
  const auto body = result.json();
  CHECK(body["status"] == status);
  CHECK(body["error"]["type"] == type);
  CHECK(body["error"]["root_cause"][0]["type"] == type);
  if (!reason.empty()) CHECK(body["error"]["reason"] == reason);
}

}  // namespace harness
