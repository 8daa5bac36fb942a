// The users the plugin authenticates against: the users file, loaded at setup and
// re-read when it changes, so `orrery users add` takes effect without a restart.
//
// Checking costs a stat() and reloading a file read, both blocking: the authenticator
// claims a due check (at most one per interval, one caller at a time) and runs
// reloadIfChanged() on the blocking pool. Lookups only read an in-memory snapshot.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "users_file.hpp"

namespace orrery {
class Logger;
}

namespace orrery::security {

class UserDirectory {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Called after each (re)load with the number of users, e.g. to update the status.
  using ChangeListener = std::function<void(std::size_t userCount)>;

  UserDirectory(std::filesystem::path file, std::chrono::milliseconds checkInterval, Logger& logger);

  // The first load. A missing file means no users (with a warning telling the operator
  // how to add one); a broken file throws UsersFileError, since guessing would either
  // lock everybody out or let the wrong people in.
  void load();

  // True for the one caller that should check the file now: at most one check per
  // interval, and none while another is running.
  bool claimCheck(TimePoint now);
  // Re-reads the file if it changed since the last load (blocking; never throws). A broken
  // file is logged and the users loaded before stay in force.
  void reloadIfChanged();

  std::optional<UserRecord> find(std::string_view username) const;
  std::size_t size() const;
  const std::filesystem::path& file() const { return file_; }
  void setChangeListener(ChangeListener listener);

 private:
  // What tells a changed file apart: rewriting it through rename changes the inode;
  // editing it in place changes the mtime or size.
  struct FileIdentity {
    bool exists = false;
    std::int64_t mtimeNs = 0;
    std::int64_t size = 0;
    std::uint64_t inode = 0;
    bool operator==(const FileIdentity&) const = default;
  };
  using Users = std::map<std::string, UserRecord, std::less<>>;

  FileIdentity identify() const;
  void replace(std::optional<std::vector<UserRecord>> users, FileIdentity identity);

  const std::filesystem::path file_;
  const std::chrono::milliseconds checkInterval_;
  Logger& logger_;
  std::atomic<std::int64_t> nextCheck_{0};  // steady ticks; see claimCheck
  std::atomic<bool> checking_{false};

  mutable std::mutex mutex_;
  Users users_;
  FileIdentity loaded_;
  ChangeListener listener_;
};

}  // namespace orrery::security
