// AnyContract: identities are compared by string, a wrong type or an empty contract is
// a ContractError naming what was asked for.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>

#include "orrery/contract.hpp"

namespace {

struct Greeter {
  static constexpr std::string_view kContractId = "greeter.setup@1";
  virtual ~Greeter() = default;
  virtual std::string greet() const { return "hello"; }
};

struct Other {
  static constexpr std::string_view kContractId = "other@2";
  virtual ~Other() = default;
};

// Same identity as Greeter, another C++ type: what a second library sees for the same
// contract header (typeid would differ across libraries loaded with local scope).
struct GreeterSeenElsewhere {
  static constexpr std::string_view kContractId = "greeter.setup@1";
  virtual ~GreeterSeenElsewhere() = default;
  virtual std::string greet() const = 0;
};

static_assert(orrery::Contract<Greeter>);
static_assert(!orrery::Contract<int>);

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an empty AnyContract") {
  orrery::AnyContract any;
  CHECK(any.empty());
  CHECK(any.id().empty());
  CHECK(any.object() == nullptr);
  try {
    (void)any.as<Greeter>("plugin 'x'");
    FAIL("as<> on an empty contract did not throw");
  } catch (const orrery::ContractError& e) {
    CHECK(contains(e.what(), "plugin 'x'"));
    CHECK(contains(e.what(), "no contract"));
  }
}

TEST_CASE("as<T> returns the object when the identity matches") {
  auto greeter = std::make_shared<Greeter>();
  auto any = orrery::AnyContract::of(greeter);
  CHECK_FALSE(any.empty());
  CHECK(any.id() == "greeter.setup@1");
  auto back = any.as<Greeter>("plugin 'greeter'");
  CHECK(back == greeter);
  CHECK(back->greet() == "hello");
}

TEST_CASE("as<T> with another identity throws naming both") {
  auto any = orrery::AnyContract::of(std::make_shared<Greeter>());
  try {
    (void)any.as<Other>("plugin 'greeter'");
    FAIL("as<> with the wrong type did not throw");
  } catch (const orrery::ContractError& e) {
    CHECK(contains(e.what(), "plugin 'greeter'"));
    CHECK(contains(e.what(), "greeter.setup@1"));
    CHECK(contains(e.what(), "other@2"));
  }
}

TEST_CASE("the identity string decides, not the C++ type") {
  auto any = orrery::AnyContract::of(std::make_shared<Greeter>());
  CHECK_NOTHROW((void)any.as<GreeterSeenElsewhere>("plugin 'greeter'"));
}

TEST_CASE("replaceObject keeps the identity and hands out the new owner's pointer") {
  auto greeter = std::make_shared<Greeter>();
  auto any = orrery::AnyContract::of(greeter);
  auto keeper = std::make_shared<int>(0);
  std::weak_ptr<int> watchKeeper = keeper;
  // An aliasing pointer, as the host makes to keep a library loaded.
  std::shared_ptr<void> wrapped(keeper, greeter.get());
  keeper.reset();
  any.replaceObject(wrapped);
  wrapped.reset();
  CHECK(any.id() == "greeter.setup@1");
  auto back = any.as<Greeter>("x");
  CHECK(back.get() == greeter.get());
  CHECK_FALSE(watchKeeper.expired());  // held by the contract's object
  back.reset();
  any = orrery::AnyContract();
  CHECK(watchKeeper.expired());
}
