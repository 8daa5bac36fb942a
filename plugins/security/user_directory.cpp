#include "user_directory.hpp"

#include <sys/stat.h>

#include <orrery/logger.hpp>

namespace orrery::security {

UserDirectory::UserDirectory(std::filesystem::path file, std::chrono::milliseconds checkInterval, Logger& logger)
    : file_(std::move(file)), checkInterval_(checkInterval), logger_(logger) {}

UserDirectory::FileIdentity UserDirectory::identify() const {
  struct stat info {};
  if (::stat(file_.c_str(), &info) != 0) return {};
  return FileIdentity{true, static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
                      static_cast<std::int64_t>(info.st_size), static_cast<std::uint64_t>(info.st_ino)};
}

void UserDirectory::load() {
  const auto identity = identify();
  replace(loadUsersFile(file_), identity);
}

bool UserDirectory::claimCheck(TimePoint now) {
  const auto ticks = now.time_since_epoch().count();
  auto due = nextCheck_.load();
  if (ticks < due || checking_.exchange(true)) return false;
  nextCheck_.store((now + checkInterval_).time_since_epoch().count());
  return true;
}

void UserDirectory::reloadIfChanged() {
  struct Release {
    std::atomic<bool>& flag;
    ~Release() { flag.store(false); }
  } release{checking_};
  try {
    const auto identity = identify();
    {
      std::lock_guard lock(mutex_);
      if (identity == loaded_) return;
    }
    replace(identity.exists ? loadUsersFile(file_) : std::nullopt, identity);
  } catch (const std::exception& e) {
    // Keep the previous identity, so the next check retries (the operator may be halfway
    // through an edit), but the users loaded before stay in force meanwhile.
    logger_.error(std::string("cannot reload the users file; keeping the users loaded before: ") + e.what(),
                  {{"file", file_.string()}});
  }
}

void UserDirectory::replace(std::optional<std::vector<UserRecord>> users, FileIdentity identity) {
  Users fresh;
  if (users) {
    for (auto& user : *users) fresh.emplace(user.username, std::move(user));
  }
  const auto count = fresh.size();
  ChangeListener listener;
  {
    std::lock_guard lock(mutex_);
    users_.swap(fresh);
    loaded_ = identity;
    listener = listener_;
  }
  if (!users) {
    logger_.warn("no users file, so nobody can log in; add a user with `orrery users add NAME`",
                 {{"file", file_.string()}});
  } else {
    logger_.info("loaded " + std::to_string(count) + " users", {{"file", file_.string()}});
  }
  if (listener) listener(count);
}

std::optional<UserRecord> UserDirectory::find(std::string_view username) const {
  std::lock_guard lock(mutex_);
  const auto it = users_.find(username);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

std::size_t UserDirectory::size() const {
  std::lock_guard lock(mutex_);
  return users_.size();
}

void UserDirectory::setChangeListener(ChangeListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

}  // namespace orrery::security
