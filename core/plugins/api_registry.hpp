// The registry behind the SDK's LifecycleContext: APIs provided under global names, and
// handlers waiting for sets of names (seed 002's registerSetupApi / withContext).
//
// Nothing here blocks: a handler whose names all exist is handed to its plugin's
// executor, never run inside the caller.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orrery/contract.hpp"
#include "orrery/lifecycle_context.hpp"

namespace orrery::plugins {

class ApiRegistry {
 public:
  using Handler = std::function<void(const orrery::ProvidedApis&)>;
  using Post = std::function<void(std::function<void()>)>;

  // Throws orrery::ContractError naming both plugins if `name` is already provided.
  void provide(const std::string& plugin, std::string name, orrery::AnyContract api);

  // `post` runs the handler on the consumer's executor once all `names` exist.
  // `library` keeps the consumer's code loaded while the handler waits.
  void withContext(const std::string& plugin, std::vector<std::string> names, Handler handler, Post post,
                   std::shared_ptr<void> library);

  bool isProvided(std::string_view name) const;

  // A failed plugin's APIs are withdrawn and its waiting handlers dropped.
  void withdraw(const std::string& plugin);

  // One line per waiting handler: "<plugin> waits for <missing names>".
  std::vector<std::string> describePending() const;

  // A registration `registrant` made in `provider`'s contract (LifecycleContext::
  // trackRegistration): `withdraw` runs when withdrawRegistrations(registrant) does — at
  // once, outside the lock, if that has happened already.
  void trackRegistration(const std::string& registrant, const std::string& provider, std::function<void()> withdraw);

  // For a plugin that failed: runs the withdrawals of what it registered in other
  // plugins' contracts, and drops (without running) those of registrations made in its
  // own, which failed with it. Returns "<provider>: <error>" for each withdrawal that threw.
  std::vector<std::string> withdrawRegistrations(const std::string& plugin);

  // Drops everything (at shutdown, before plugin libraries are released).
  void clear();

 private:
  struct Provided {
    std::string plugin;
    orrery::AnyContract api;
  };
  struct Waiting {
    std::shared_ptr<void> library;  // declared first: released after the handler
    std::string plugin;
    std::vector<std::string> names;
    Handler handler;
    Post post;
  };

  struct Registration {
    std::string registrant;
    std::string provider;
    std::function<void()> withdraw;
  };

  bool ready(const Waiting& waiting) const;
  void dispatch(Waiting waiting);  // called without the lock

  mutable std::mutex mutex_;
  std::map<std::string, Provided, std::less<>> provided_;
  std::vector<Waiting> waiting_;
  std::vector<Registration> registrations_;
  std::set<std::string, std::less<>> withdrawnRegistrants_;
};

}  // namespace orrery::plugins
