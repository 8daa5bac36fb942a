// ApiRegistry: named APIs and the handlers waiting for them (provide / withContext).
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/plugins/api_registry.hpp"

using orrery::AnyContract;
using orrery::ContractError;
using orrery::ProvidedApis;
using orrery::plugins::ApiRegistry;
using Lines = std::vector<std::string>;

namespace {

struct Store {
  static constexpr std::string_view kContractId = "store.api@1";
  virtual ~Store() = default;
  virtual std::string name() const { return "store"; }
};

struct Search {
  static constexpr std::string_view kContractId = "search.api@3";
  virtual ~Search() = default;
};

AnyContract storeApi() { return AnyContract::of(std::make_shared<Store>()); }
AnyContract searchApi() { return AnyContract::of(std::make_shared<Search>()); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A plugin's executor stand-in: tasks are queued, and run only when the test says so.
struct Queue {
  std::deque<std::function<void()>> tasks;
  ApiRegistry::Post post() {
    return [this](std::function<void()> task) { tasks.push_back(std::move(task)); };
  }
  void runAll() {
    while (!tasks.empty()) {
      auto task = std::move(tasks.front());
      tasks.pop_front();
      task();
    }
  }
};

}  // namespace

TEST_CASE("a handler is posted once every name it asked for is provided") {
  ApiRegistry registry;
  Queue queue;
  int calls = 0;
  std::string seen;
  registry.withContext("consumer", {"store", "search"},
                       [&](const ProvidedApis& apis) {
                         ++calls;
                         seen = apis.get<Store>("store")->name();
                         (void)apis.get<Search>("search");
                       },
                       queue.post(), nullptr);
  CHECK(queue.tasks.empty());
  registry.provide("storage", "store", storeApi());
  CHECK(queue.tasks.empty());  // still missing "search"
  registry.provide("searcher", "search", searchApi());
  REQUIRE(queue.tasks.size() == 1);
  CHECK(calls == 0);  // posted, never run inside provide()

  queue.runAll();
  CHECK(calls == 1);
  CHECK(seen == "store");

  // Provided later, unrelated names do not post it again.
  registry.provide("other", "unrelated", storeApi());
  CHECK(queue.tasks.empty());
}

TEST_CASE("names already provided: the handler is posted at once, never run inline") {
  ApiRegistry registry;
  Queue queue;
  registry.provide("storage", "store", storeApi());
  int calls = 0;
  registry.withContext("consumer", {"store"}, [&calls](const ProvidedApis&) { ++calls; }, queue.post(), nullptr);
  CHECK(calls == 0);
  REQUIRE(queue.tasks.size() == 1);
  queue.runAll();
  CHECK(calls == 1);
}

TEST_CASE("each handler posts through its own plugin's post function") {
  ApiRegistry registry;
  Queue first;
  Queue second;
  int calls = 0;
  registry.withContext("a", {"store"}, [&calls](const ProvidedApis&) { ++calls; }, first.post(), nullptr);
  registry.withContext("b", {"store"}, [&calls](const ProvidedApis&) { ++calls; }, second.post(), nullptr);
  registry.provide("storage", "store", storeApi());
  CHECK(first.tasks.size() == 1);
  CHECK(second.tasks.size() == 1);
  first.runAll();
  second.runAll();
  CHECK(calls == 2);
}

TEST_CASE("providing a name twice throws, naming both plugins") {
  ApiRegistry registry;
  registry.provide("storage", "store", storeApi());
  try {
    registry.provide("intruder", "store", storeApi());
    FAIL("a second provide of the same name was accepted");
  } catch (const ContractError& e) {
    CHECK(contains(e.what(), "'store'"));
    CHECK(contains(e.what(), "storage"));
    CHECK(contains(e.what(), "intruder"));
  }
  CHECK(registry.isProvided("store"));
}

TEST_CASE("provide refuses an empty name or a null API; withContext an empty handler") {
  ApiRegistry registry;
  CHECK_THROWS_AS(registry.provide("p", "", storeApi()), ContractError);
  CHECK_THROWS_AS(registry.provide("p", "null", AnyContract()), ContractError);
  CHECK_FALSE(registry.isProvided("null"));
  Queue queue;
  CHECK_THROWS_AS(registry.withContext("p", {"x"}, nullptr, queue.post(), nullptr), ContractError);
}

TEST_CASE("ProvidedApis::get: a wrong type or a name not asked for throws") {
  ApiRegistry registry;
  Queue queue;
  registry.provide("storage", "store", storeApi());
  registry.provide("searcher", "search", searchApi());
  std::string wrongType;
  std::string notRequested;
  registry.withContext("consumer", {"store"},
                       [&](const ProvidedApis& apis) {
                         try {
                           (void)apis.get<Search>("store");
                         } catch (const ContractError& e) {
                           wrongType = e.what();
                         }
                         try {
                           (void)apis.get<Search>("search");  // provided, but not requested
                         } catch (const ContractError& e) {
                           notRequested = e.what();
                         }
                       },
                       queue.post(), nullptr);
  queue.runAll();
  CHECK(contains(wrongType, "store.api@1"));
  CHECK(contains(wrongType, "search.api@3"));
  CHECK(contains(wrongType, "'store'"));
  CHECK(contains(notRequested, "'search'"));
  CHECK(contains(notRequested, "withContext"));
}

TEST_CASE("describePending: one line per waiting handler with its missing names") {
  ApiRegistry registry;
  Queue queue;
  registry.provide("storage", "store", storeApi());
  registry.withContext("reporting", {"store", "search", "mail"}, [](const ProvidedApis&) {}, queue.post(), nullptr);
  registry.withContext("alerts", {"mail"}, [](const ProvidedApis&) {}, queue.post(), nullptr);
  CHECK(registry.describePending() == Lines{"reporting waits for search, mail", "alerts waits for mail"});
  registry.provide("searcher", "search", searchApi());
  CHECK(registry.describePending() == Lines{"reporting waits for mail", "alerts waits for mail"});
  registry.provide("mailer", "mail", storeApi());
  CHECK(registry.describePending().empty());
  CHECK(queue.tasks.size() == 2);
}

TEST_CASE("withdraw removes a plugin's APIs and its waiting handlers") {
  ApiRegistry registry;
  Queue queue;
  registry.provide("failed", "store", storeApi());
  registry.provide("healthy", "search", searchApi());
  auto library = std::make_shared<int>(0);
  std::weak_ptr<int> watchLibrary = library;
  int calls = 0;
  registry.withContext("failed", {"mail"}, [&calls](const ProvidedApis&) { ++calls; }, queue.post(), library);
  registry.withContext("healthy", {"mail"}, [&calls](const ProvidedApis&) { ++calls; }, queue.post(), nullptr);
  library.reset();
  CHECK_FALSE(watchLibrary.expired());  // kept by the waiting handler

  registry.withdraw("failed");
  CHECK_FALSE(registry.isProvided("store"));
  CHECK(registry.isProvided("search"));
  CHECK(registry.describePending() == Lines{"healthy waits for mail"});
  CHECK(watchLibrary.expired());  // the dropped handler released its library

  // The name is free again, and only the healthy handler runs.
  registry.provide("replacement", "store", storeApi());
  registry.provide("mailer", "mail", storeApi());
  queue.runAll();
  CHECK(calls == 1);
}

TEST_CASE("clear drops every API and every waiting handler") {
  ApiRegistry registry;
  Queue queue;
  auto library = std::make_shared<int>(0);
  std::weak_ptr<int> watchLibrary = library;
  registry.provide("storage", "store", storeApi());
  registry.withContext("consumer", {"mail"}, [](const ProvidedApis&) {}, queue.post(), library);
  library.reset();
  registry.clear();
  CHECK_FALSE(registry.isProvided("store"));
  CHECK(registry.describePending().empty());
  CHECK(watchLibrary.expired());
  registry.provide("mailer", "mail", storeApi());
  CHECK(queue.tasks.empty());
}

TEST_CASE("a handler may call back into the registry") {
  ApiRegistry registry;
  Queue queue;
  bool nestedPosted = false;
  registry.withContext("a", {"store"},
                       [&](const ProvidedApis&) {
                         registry.provide("a", "derived", searchApi());
                       },
                       queue.post(), nullptr);
  registry.withContext("b", {"derived"}, [&nestedPosted](const ProvidedApis&) { nestedPosted = true; }, queue.post(),
                       nullptr);
  registry.provide("storage", "store", storeApi());
  queue.runAll();
  CHECK(nestedPosted);
  CHECK(registry.isProvided("derived"));
}

TEST_CASE("a registration is withdrawn when its registrant fails, not when its provider or another plugin does") {
  ApiRegistry registry;
  Lines withdrawn;
  registry.trackRegistration("reports", "task_manager", [&] { withdrawn.push_back("reports in task_manager"); });
  registry.trackRegistration("reports", "data", [&] { withdrawn.push_back("reports in data"); });
  registry.trackRegistration("alerts", "task_manager", [&] { withdrawn.push_back("alerts in task_manager"); });

  CHECK(registry.withdrawRegistrations("other").empty());
  CHECK(withdrawn.empty());
  CHECK(registry.withdrawRegistrations("reports").empty());
  CHECK(withdrawn == Lines{"reports in task_manager", "reports in data"});
  CHECK(registry.withdrawRegistrations("reports").empty());  // once only
  CHECK(withdrawn.size() == 2);

  // The provider failed: what was registered in its contract went with it, unrun.
  registry.withdrawRegistrations("task_manager");
  registry.withdrawRegistrations("alerts");
  CHECK(withdrawn.size() == 2);
}

TEST_CASE("a registration made after its registrant failed is withdrawn at once") {
  // A call that overran its deadline is abandoned, not stopped: it may still register.
  ApiRegistry registry;
  registry.withdrawRegistrations("late");
  int withdrawn = 0;
  registry.trackRegistration("late", "task_manager", [&] { ++withdrawn; });
  CHECK(withdrawn == 1);
  CHECK_THROWS_AS(registry.trackRegistration("late", "task_manager", nullptr), ContractError);
}

TEST_CASE("a withdrawal that throws is reported with its provider, and the others still run") {
  ApiRegistry registry;
  int withdrawn = 0;
  registry.trackRegistration("reports", "data", [] { throw std::runtime_error("strategy busy"); });
  registry.trackRegistration("reports", "task_manager", [&] { ++withdrawn; });
  CHECK(registry.withdrawRegistrations("reports") == Lines{"data: strategy busy"});
  CHECK(withdrawn == 1);
}

TEST_CASE("clear drops tracked registrations without running them") {
  ApiRegistry registry;
  int withdrawn = 0;
  registry.trackRegistration("reports", "data", [&] { ++withdrawn; });
  registry.clear();
  registry.withdrawRegistrations("reports");
  CHECK(withdrawn == 0);
}
