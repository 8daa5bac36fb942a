// PrepareAhead, the hand-off between the _bulk path's parsing thread and the shard writer:
// items come out in order, a barrier item holds the helper back until it is consumed,
// errors reach the thread that needs them, after-work runs only on consumed items, and
// a waiting thread is woken once per batch of items rather than once per item.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <stdexcept>
#include <vector>

#include "prepare_ahead.hpp"

using orrery::data::PrepareAhead;

namespace {

// Work that takes a few microseconds, so that the consumer outruns the helper.
std::uint64_t busyWork(std::size_t k) {
  std::uint64_t x = k + 1;
  for (int i = 0; i < 20000; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

}  // namespace

TEST_CASE("items are prepared in order, and a barrier item is consumed before the next is prepared") {
  const std::size_t n = 5000;
  std::vector<int> prepared(n, 0);
  std::atomic<std::size_t> highest{0};  // 1 + the highest item prepared
  std::vector<std::size_t> order;
  const auto isBarrier = [](std::size_t k) { return k % 97 == 50; };
  PrepareAhead ahead(
      n,
      [&](std::size_t k) {
        order.push_back(k);
        prepared[k] = 1;
        highest.store(k + 1);
      },
      isBarrier);
  for (std::size_t k = 0; k < n; ++k) {
    ahead.waitReady(k);
    if (isBarrier(k)) {
      CHECK(prepared[k] == 0);          // a barrier is the consumer's to prepare
      CHECK(highest.load() <= k);       // and nothing after it was prepared yet
    } else {
      CHECK(prepared[k] == 1);
    }
    ahead.consumed(k);
  }
  ahead.drain();
  std::vector<std::size_t> expected;
  for (std::size_t k = 0; k < n; ++k)
    if (!isBarrier(k)) expected.push_back(k);
  CHECK(order == expected);
}

TEST_CASE("after-work runs for each item in order, only once the consumer has finished it") {
  const std::size_t n = 2000;
  std::vector<std::atomic<bool>> done(n);
  std::vector<std::size_t> finished;
  bool allConsumedFirst = true;
  std::promise<void> idle;
  PrepareAhead ahead(
      n, [](std::size_t) {}, [](std::size_t) { return false; }, [&] { idle.set_value(); },
      [&](std::size_t k) {
        allConsumedFirst = allConsumedFirst && done[k].load();
        finished.push_back(k);
      });
  idle.get_future().wait();  // every item is prepared; the helper waits for the consumer
  std::uint64_t sum = 0;
  for (std::size_t k = 0; k < n; ++k) {
    ahead.waitReady(k);
    sum += busyWork(k);  // a consumer slower than the helper's after-work
    done[k].store(true);
    ahead.consumed(k);
  }
  ahead.drain();
  CHECK(sum != 0);
  CHECK(allConsumedFirst);
  REQUIRE(finished.size() == n);
  for (std::size_t k = 0; k < n; ++k) CHECK(finished[k] == k);
  // The helper slept waiting for the consumer: it was woken once per batch, not per item.
  CHECK(ahead.wakeups() <= n / PrepareAhead::kWakeBatch + 2);
}

TEST_CASE("a consumer waiting for a slower helper is woken once per batch of items") {
  const std::size_t n = 2000;
  std::vector<std::uint64_t> results(n);
  PrepareAhead ahead(n, [&](std::size_t k) { results[k] = busyWork(k); }, [](std::size_t) { return false; });
  std::uint64_t sum = 0;
  for (std::size_t k = 0; k < n; ++k) {
    ahead.waitReady(k);
    sum += results[k];
    ahead.consumed(k);
  }
  ahead.drain();
  CHECK(sum != 0);
  CHECK(results[n - 1] == busyWork(n - 1));
  CHECK(ahead.wakeups() <= n / PrepareAhead::kWakeBatch + 2);
}

TEST_CASE("an error in prepare reaches the consumer at that item; one in after-work reaches drain") {
  SUBCASE("prepare") {
    PrepareAhead ahead(
        100,
        [](std::size_t k) {
          if (k == 7) throw std::runtime_error("item 7 broke");
        },
        [](std::size_t) { return false; });
    for (std::size_t k = 0; k < 7; ++k) {
      CHECK_NOTHROW(ahead.waitReady(k));
      ahead.consumed(k);
    }
    CHECK_THROWS_WITH(ahead.waitReady(7), "item 7 broke");
  }
  SUBCASE("after-work") {
    PrepareAhead ahead(
        100, [](std::size_t) {}, [](std::size_t) { return false; }, {},
        [](std::size_t k) {
          if (k == 42) throw std::runtime_error("render 42 broke");
        });
    for (std::size_t k = 0; k < 100; ++k) {
      ahead.waitReady(k);
      ahead.consumed(k);
    }
    CHECK_THROWS_WITH(ahead.drain(), "render 42 broke");
  }
}

TEST_CASE("destroying it while the helper waits for the consumer stops the helper") {
  std::vector<std::size_t> prepared;
  {
    PrepareAhead ahead(
        10, [&](std::size_t k) { prepared.push_back(k); }, [](std::size_t k) { return k == 3; }, {},
        [](std::size_t) {});
    ahead.waitReady(3);  // the helper now waits for item 3 to be consumed, which never happens
  }  // joins: the helper must wake and stop (a hang here fails the suite's timeout)
  CHECK(prepared == std::vector<std::size_t>{0, 1, 2});
}
