// A LifecycleContext for unit tests of contracts that take registrations from other
// plugins: it keeps each withdraw function given to trackRegistration, for the test to
// run as the host would when the registering plugin fails.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "orrery/lifecycle_context.hpp"

namespace orrery::test {

class RecordingLifecycle final : public orrery::LifecycleContext {
 public:
  void withContext(std::vector<std::string>, std::function<void(const orrery::ProvidedApis&)>) override {}
  bool isProvided(std::string_view) const override { return false; }
  std::string trackRegistration(std::function<void()> withdraw) override {
    withdrawals.push_back(std::move(withdraw));
    return "registrant";
  }

  std::vector<std::function<void()>> withdrawals;

 protected:
  void provideAny(std::string, orrery::AnyContract) override {}
};

}  // namespace orrery::test
