// IndexingPressure: writes in progress hold their bytes; one that would pass the limit is
// rejected with Elasticsearch's 429 and wording while another write is held, and goes
// through once that write is done.
#include <doctest/doctest.h>

#include <utility>

#include "errors.hpp"
#include "indexing_pressure.hpp"

using orrery::data::EngineError;
using orrery::data::IndexingPressure;

TEST_CASE("a write past the limit is rejected with es_rejected_execution_exception while another is in progress") {
  IndexingPressure pressure(1000);
  auto bulk = pressure.markCoordinatingOperationStarted(600);  // one bulk being indexed
  CHECK(pressure.current() == 600);
  try {
    pressure.markCoordinatingOperationStarted(500);
    FAIL("not rejected");
  } catch (const EngineError& error) {
    CHECK(error.status() == 429);
    CHECK(error.type() == "es_rejected_execution_exception");
    CHECK(std::string(error.what()) ==
          "rejected execution of coordinating operation [coordinating_and_primary_bytes=600, replica_bytes=0, "
          "all_bytes=600, coordinating_operation_bytes=500, max_coordinating_and_primary_bytes=1000]");
  }
  CHECK(pressure.current() == 600);  // the rejected write holds nothing
  auto fits = pressure.markCoordinatingOperationStarted(400);  // exactly up to the limit
  CHECK(pressure.current() == 1000);
  fits.release();
  bulk.release();
  CHECK(pressure.current() == 0);
  auto later = pressure.markCoordinatingOperationStarted(500);
  CHECK(pressure.current() == 500);
}

TEST_CASE("a single write larger than the limit is rejected even when nothing else runs") {
  IndexingPressure pressure(1000);
  CHECK_THROWS_AS(pressure.markCoordinatingOperationStarted(1001), EngineError);
  CHECK(pressure.current() == 0);
}

TEST_CASE("an operation gives its bytes back once, when destroyed or moved over") {
  IndexingPressure pressure(1000);
  {
    auto first = pressure.markCoordinatingOperationStarted(300);
    IndexingPressure::Operation moved = std::move(first);
    first.release();
    CHECK(pressure.current() == 300);
  }
  CHECK(pressure.current() == 0);
  auto held = pressure.markCoordinatingOperationStarted(200);
  held = pressure.markCoordinatingOperationStarted(100);
  CHECK(pressure.current() == 100);
}
