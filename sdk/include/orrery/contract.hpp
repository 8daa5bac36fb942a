// Typed contracts between plugins.
//
// A contract is an abstract class with a static identity string, e.g.
//
//   struct GreeterSetup {
//     static constexpr std::string_view kContractId = "greeter.setup@1";
//     virtual ~GreeterSetup() = default;
//     virtual std::string greet(std::string_view name) = 0;
//   };
//
// Plugins are loaded with local symbol scope, so typeid of the same class differs
// between libraries; the identity string is what the host compares. Asking for a
// contract under the wrong type throws ContractError naming both identities, never
// undefined behaviour. Change the "@N" suffix when the contract changes incompatibly.
#pragma once

#include <concepts>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace orrery {

template <class T>
concept Contract = requires {
  { T::kContractId } -> std::convertible_to<std::string_view>;
};

// Thrown for a contract that is missing, undeclared or of another type. A programming
// error in the calling plugin: the host marks that plugin failed and goes on.
class ContractError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A contract with its identity, type-erased so the host can store it.
class AnyContract {
 public:
  AnyContract() = default;

  template <Contract T>
  static AnyContract of(std::shared_ptr<T> object) {
    AnyContract any;
    any.id_ = std::string(T::kContractId);
    any.object_ = std::move(object);
    return any;
  }

  bool empty() const { return object_ == nullptr; }
  const std::string& id() const { return id_; }

  // `what` names the contract for the error message (a plugin id or an API name).
  template <Contract T>
  std::shared_ptr<T> as(std::string_view what) const {
    if (object_ == nullptr) {
      throw ContractError(std::string(what) + " has no contract");
    }
    if (id_ != T::kContractId) {
      throw ContractError(std::string(what) + " provides contract '" + id_ + "', not '" +
                          std::string(T::kContractId) + "'");
    }
    return std::static_pointer_cast<T>(object_);
  }

  // The host re-wraps objects so that the library that made them stays loaded.
  const std::shared_ptr<void>& object() const { return object_; }
  void replaceObject(std::shared_ptr<void> object) { object_ = std::move(object); }

 private:
  std::string id_;
  std::shared_ptr<void> object_;
};

}  // namespace orrery
