// BodyBudget: reservations within the limit, refusals past it, growth for chunked
// bodies, and bytes given back when a reservation goes.
#include <doctest/doctest.h>

#include <utility>

#include "core/http/body_budget.hpp"

using orrery::server::BodyBudget;

TEST_CASE("reservations fit within the limit; one that would pass it is refused and holds nothing more") {
  BodyBudget budget(1000);
  BodyBudget::Reservation first(budget);
  BodyBudget::Reservation second(budget);
  CHECK(first.growTo(700));
  CHECK_FALSE(second.growTo(400));
  CHECK(second.bytes() == 0);
  CHECK(budget.inFlight() == 700);
  CHECK(second.growTo(300));  // exactly the rest
  CHECK(budget.inFlight() == 1000);
  CHECK_FALSE(BodyBudget::Reservation(budget).growTo(1));
}

TEST_CASE("a chunked body grows its reservation as it arrives, and is refused at the chunk that passes the limit") {
  BodyBudget budget(1000);
  BodyBudget::Reservation body(budget);
  CHECK(body.growTo(100));
  CHECK(body.growTo(100));  // no change
  CHECK(body.growTo(600));
  CHECK(budget.inFlight() == 600);
  CHECK_FALSE(body.growTo(1001));
  CHECK(body.bytes() == 600);  // keeps what it had
}

TEST_CASE("bytes come back when the reservation is released, destroyed or moved over") {
  BodyBudget budget(1000);
  {
    BodyBudget::Reservation body(budget);
    CHECK(body.growTo(1000));
    BodyBudget::Reservation moved(std::move(body));
    CHECK(budget.inFlight() == 1000);
    CHECK(moved.bytes() == 1000);
  }
  CHECK(budget.inFlight() == 0);
  BodyBudget::Reservation body(budget);
  CHECK(body.growTo(400));
  body.release();
  body.release();
  CHECK(budget.inFlight() == 0);
  BodyBudget::Reservation other(budget);
  CHECK(other.growTo(300));
  other = BodyBudget::Reservation(budget);
  CHECK(budget.inFlight() == 0);
}

TEST_CASE("a body larger than the whole budget never fits") {
  BodyBudget budget(1000);
  CHECK_FALSE(BodyBudget::Reservation(budget).growTo(1001));
  CHECK(budget.inFlight() == 0);
}
