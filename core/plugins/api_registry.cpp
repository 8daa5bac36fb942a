#include "core/plugins/api_registry.hpp"

#include <algorithm>

namespace orrery::plugins {

namespace {

class ProvidedApisImpl final : public orrery::ProvidedApis {
 public:
  explicit ProvidedApisImpl(std::map<std::string, orrery::AnyContract, std::less<>> apis) : apis_(std::move(apis)) {}

 protected:
  const orrery::AnyContract& find(std::string_view name) const override {
    auto it = apis_.find(name);
    if (it == apis_.end()) {
      throw orrery::ContractError("API '" + std::string(name) + "' was not among the names given to withContext");
    }
    return it->second;
  }

 private:
  std::map<std::string, orrery::AnyContract, std::less<>> apis_;
};

}  // namespace

bool ApiRegistry::ready(const Waiting& waiting) const {
  return std::all_of(waiting.names.begin(), waiting.names.end(),
                     [this](const std::string& name) { return provided_.count(name) != 0; });
}

void ApiRegistry::provide(const std::string& plugin, std::string name, orrery::AnyContract api) {
  if (name.empty()) throw orrery::ContractError("provide: the API name is empty");
  if (api.empty()) throw orrery::ContractError("provide: API '" + name + "' is null");
  std::vector<Waiting> nowReady;
  {
    std::lock_guard lock(mutex_);
    if (auto it = provided_.find(name); it != provided_.end()) {
      throw orrery::ContractError("API '" + name + "' is already provided by plugin '" + it->second.plugin +
                                  "'; plugin '" + plugin + "' cannot provide it again");
    }
    provided_.emplace(std::move(name), Provided{plugin, std::move(api)});
    auto split = std::stable_partition(waiting_.begin(), waiting_.end(),
                                       [this](const Waiting& waiting) { return !ready(waiting); });
    std::move(split, waiting_.end(), std::back_inserter(nowReady));
    waiting_.erase(split, waiting_.end());
  }
  for (auto& waiting : nowReady) dispatch(std::move(waiting));
}

void ApiRegistry::withContext(const std::string& plugin, std::vector<std::string> names, Handler handler, Post post,
                              std::shared_ptr<void> library) {
  if (!handler) throw orrery::ContractError("withContext: the handler is empty");
  Waiting waiting{std::move(library), plugin, std::move(names), std::move(handler), std::move(post)};
  {
    std::lock_guard lock(mutex_);
    if (!ready(waiting)) {
      waiting_.push_back(std::move(waiting));
      return;
    }
  }
  dispatch(std::move(waiting));
}

void ApiRegistry::dispatch(Waiting waiting) {
  std::map<std::string, orrery::AnyContract, std::less<>> apis;
  {
    std::lock_guard lock(mutex_);
    for (const auto& name : waiting.names) apis.emplace(name, provided_.at(name).api);
  }
  auto view = std::make_shared<ProvidedApisImpl>(std::move(apis));
  auto handler = std::make_shared<Handler>(std::move(waiting.handler));
  waiting.post([view, handler] { (*handler)(*view); });
}

bool ApiRegistry::isProvided(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return provided_.find(name) != provided_.end();
}

void ApiRegistry::withdraw(const std::string& plugin) {
  std::vector<Waiting> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  std::erase_if(provided_, [&](const auto& entry) { return entry.second.plugin == plugin; });
  auto split = std::stable_partition(waiting_.begin(), waiting_.end(),
                                     [&](const Waiting& waiting) { return waiting.plugin != plugin; });
  std::move(split, waiting_.end(), std::back_inserter(dropped));
  waiting_.erase(split, waiting_.end());
}

std::vector<std::string> ApiRegistry::describePending() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> lines;
  for (const auto& waiting : waiting_) {
    std::string missing;
    for (const auto& name : waiting.names) {
      if (provided_.count(name) == 0) missing += (missing.empty() ? "" : ", ") + name;
    }
    lines.push_back(waiting.plugin + " waits for " + missing);
  }
  return lines;
}

void ApiRegistry::trackRegistration(const std::string& registrant, const std::string& provider,
                                    std::function<void()> withdraw) {
  if (!withdraw) throw orrery::ContractError("trackRegistration: the withdraw function is empty");
  {
    std::lock_guard lock(mutex_);
    if (withdrawnRegistrants_.count(registrant) == 0) {
      registrations_.push_back({registrant, provider, std::move(withdraw)});
      return;
    }
  }
  withdraw();  // the registrant failed while its call still ran
}

std::vector<std::string> ApiRegistry::withdrawRegistrations(const std::string& plugin) {
  std::vector<Registration> due;
  std::vector<Registration> dropped;  // destroyed outside the lock
  {
    std::lock_guard lock(mutex_);
    withdrawnRegistrants_.insert(plugin);
    std::vector<Registration> kept;
    for (auto& registration : registrations_) {
      auto& into = registration.registrant == plugin ? due : registration.provider == plugin ? dropped : kept;
      into.push_back(std::move(registration));
    }
    registrations_.swap(kept);
  }
  std::vector<std::string> errors;
  for (auto& registration : due) {
    try {
      registration.withdraw();
    } catch (const std::exception& e) {
      errors.push_back(registration.provider + ": " + e.what());
    } catch (...) {
      errors.push_back(registration.provider + ": a non-standard exception");
    }
  }
  return errors;
}

void ApiRegistry::clear() {
  std::map<std::string, Provided, std::less<>> provided;
  std::vector<Waiting> waiting;
  std::vector<Registration> registrations;
  {
    std::lock_guard lock(mutex_);
    provided.swap(provided_);
    waiting.swap(waiting_);
    registrations.swap(registrations_);
  }
}

}  // namespace orrery::plugins
