// CancellationSource / CancellationToken / CancellationRegistration.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "orrery/cancellation.hpp"

using orrery::CancellationRegistration;
using orrery::CancellationSource;
using orrery::CancellationToken;

TEST_CASE("a default token is never cancelled and never calls back") {
  CancellationToken token;
  CHECK_FALSE(token.cancelled());
  int calls = 0;
  auto registration = token.onCancel([&calls] { ++calls; });
  CHECK(calls == 0);
}

TEST_CASE("cancel runs each registered callback once and marks every token") {
  CancellationSource source;
  auto token = source.token();
  auto copy = token;
  CHECK_FALSE(token.cancelled());
  CHECK_FALSE(source.cancelled());
  int first = 0;
  int second = 0;
  auto r1 = token.onCancel([&first] { ++first; });
  auto r2 = copy.onCancel([&second] { ++second; });
  source.cancel();
  CHECK(first == 1);
  CHECK(second == 1);
  CHECK(token.cancelled());
  CHECK(copy.cancelled());
  CHECK(source.cancelled());
  CHECK(source.token().cancelled());
  source.cancel();  // idempotent: nothing runs again
  CHECK(first == 1);
  CHECK(second == 1);
}

TEST_CASE("callbacks run on the cancelling thread") {
  CancellationSource source;
  std::thread::id ranOn;
  auto registration = source.token().onCancel([&ranOn] { ranOn = std::this_thread::get_id(); });
  std::thread canceller([&source] { source.cancel(); });
  const auto cancellerId = canceller.get_id();
  canceller.join();
  CHECK(ranOn == cancellerId);
}

TEST_CASE("destroying a registration unregisters its callback") {
  CancellationSource source;
  int kept = 0;
  int dropped = 0;
  auto keep = source.token().onCancel([&kept] { ++kept; });
  {
    auto drop = source.token().onCancel([&dropped] { ++dropped; });
  }
  auto reset = source.token().onCancel([&dropped] { ++dropped; });
  reset.reset();
  source.cancel();
  CHECK(kept == 1);
  CHECK(dropped == 0);
}

TEST_CASE("a moved registration keeps the callback registered exactly once") {
  CancellationSource source;
  int calls = 0;
  CancellationRegistration outer;
  {
    auto inner = source.token().onCancel([&calls] { ++calls; });
    outer = std::move(inner);
  }  // the moved-from registration must not unregister
  CancellationRegistration moved(std::move(outer));
  source.cancel();
  CHECK(calls == 1);
}

TEST_CASE("move-assigning over a registration unregisters the old callback") {
  CancellationSource source;
  int oldCalls = 0;
  int newCalls = 0;
  auto registration = source.token().onCancel([&oldCalls] { ++oldCalls; });
  registration = source.token().onCancel([&newCalls] { ++newCalls; });
  source.cancel();
  CHECK(oldCalls == 0);
  CHECK(newCalls == 1);
}

TEST_CASE("onCancel after cancel runs the callback at once, on this thread") {
  CancellationSource source;
  source.cancel();
  std::thread::id ranOn;
  int calls = 0;
  auto registration = source.token().onCancel([&] {
    ++calls;
    ranOn = std::this_thread::get_id();
  });
  CHECK(calls == 1);
  CHECK(ranOn == std::this_thread::get_id());
}

TEST_CASE("a callback may use the token while cancel runs it") {
  CancellationSource source;
  auto token = source.token();
  bool sawCancelled = false;
  int nested = 0;
  auto registration = token.onCancel([&] {
    sawCancelled = token.cancelled();
    auto inner = token.onCancel([&nested] { ++nested; });  // already cancelled: runs at once
  });
  source.cancel();
  CHECK(sawCancelled);
  CHECK(nested == 1);
}

TEST_CASE("a registration may outlive its source") {
  CancellationRegistration registration;
  {
    CancellationSource source;
    registration = source.token().onCancel([] {});
  }
  registration.reset();  // the state is gone: nothing to unregister, no crash
}

TEST_CASE("concurrent registration and cancel: every callback runs exactly once") {
  CancellationSource source;
  auto token = source.token();
  constexpr int kThreads = 4;
  constexpr int kEach = 100;
  std::atomic<int> calls{0};
  std::vector<std::vector<CancellationRegistration>> registrations(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) registrations[t].push_back(token.onCancel([&calls] { ++calls; }));
    });
  }
  source.cancel();
  for (auto& thread : threads) thread.join();
  CHECK(calls.load() == kThreads * kEach);
}
