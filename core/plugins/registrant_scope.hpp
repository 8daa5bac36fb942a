// Which plugin the current thread runs code for on the host's behalf — one of its
// lifecycle calls or withContext handlers — so that a registration it makes in another
// plugin's contract (LifecycleContext::trackRegistration) can be tied to it, and
// withdrawn if it fails. The provider cannot be told by the registering call itself:
// contracts are plain C++ interfaces that carry no caller.
#pragma once

#include <string>

namespace orrery::plugins {

class RegistrantScope {
 public:
  explicit RegistrantScope(const std::string& plugin);
  ~RegistrantScope();
  RegistrantScope(const RegistrantScope&) = delete;
  RegistrantScope& operator=(const RegistrantScope&) = delete;

  // The innermost scope's plugin on this thread, or null.
  static const std::string* current();

 private:
  const std::string* previous_;
};

}  // namespace orrery::plugins
