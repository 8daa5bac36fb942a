// The lifecycle context: plugins provide named APIs and consume them without blocking.
//
// This is the C++ form of Kibana's `registerSetupApi` / `withContext` (seed 002). A
// provider publishes an API under a global name as soon as it has one; a consumer asks
// for a set of names and gets a handler call once all of them exist. Nobody waits:
// lifecycle functions return at once, and the handler runs later on an I/O thread.
//
//   // provider (plugin "storage"), in setup():
//   ctx.lifecycle().provide<DocumentStore>("storage.documents", store);
//
//   // consumer (plugin "reporting"), in setup():
//   ctx.lifecycle().withContext({"storage.documents"}, [this](const orrery::ProvidedApis& apis) {
//     store_ = apis.get<DocumentStore>("storage.documents");
//     // ... start work that needs the store
//   });
//
// If every name is already provided the handler is still posted, never run inside the
// caller. A name provided twice is an error for the second provider. A handler that
// throws is logged against its plugin and marks it degraded. At ready the host logs
// every handler still waiting and the names it misses.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orrery/contract.hpp"

namespace orrery {

// The APIs a withContext handler asked for, by name.
class ProvidedApis {
 public:
  virtual ~ProvidedApis() = default;

  // Throws ContractError if `name` was not among the requested names or has another type.
  template <Contract T>
  std::shared_ptr<T> get(std::string_view name) const {
    return find(name).template as<T>("API '" + std::string(name) + "'");
  }

 protected:
  virtual const AnyContract& find(std::string_view name) const = 0;
};

class LifecycleContext {
 public:
  virtual ~LifecycleContext() = default;

  template <Contract T>
  void provide(std::string name, std::shared_ptr<T> api) {
    provideAny(std::move(name), AnyContract::of(std::move(api)));
  }

  virtual void withContext(std::vector<std::string> names,
                           std::function<void(const ProvidedApis&)> handler) = 0;

  // Whether `name` has been provided yet.
  virtual bool isProvided(std::string_view name) const = 0;

 protected:
  virtual void provideAny(std::string name, AnyContract api) = 0;

 public:
  // SDK 1.4. For a plugin whose contract takes registrations from other plugins (task
  // types, search strategies, callbacks): call it inside the registering call, once the
  // registration is in place. The host ties the registration to the plugin whose setup,
  // start or withContext handler is running on this thread, and calls `withdraw` if that
  // plugin fails later — or at once, if it has failed already (a call that overran its
  // deadline may still be running). So nothing a failed plugin registered stays in use.
  // `withdraw` runs on a host thread; it must not block and must tolerate the
  // registration being gone. Returns the registering plugin's id; empty outside such a
  // call, or when the caller is this plugin itself — then nothing is tracked.
  virtual std::string trackRegistration(std::function<void()> withdraw) = 0;
};

}  // namespace orrery
