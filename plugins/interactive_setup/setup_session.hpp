// One first-run setup: the verification code, where the answers go (config file, users
// file), and saving them. Lives while the preboot plugin holds setup; the HTTP routes
// call it. Blocking methods (check, save) do file and network I/O: call them on the
// blocking pool.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include "connection_check.hpp"
#include "setup_request.hpp"
#include "verification_code.hpp"

namespace orrery::interactive_setup {

struct SessionPaths {
  std::filesystem::path configFile;      // the file the host re-reads on its reload
  std::filesystem::path usersFile;       // the security plugin's users file
  std::filesystem::path codeFile;        // where the verification code is written
  std::filesystem::path defaultDataFolder;  // offered for the embedded engine
  std::filesystem::path workingFolder;   // relative folders on the page resolve here
};

struct SaveResult {
  std::string message;
};

class SetupSession {
 public:
  // `onSaved` runs once, after a successful save (the plugin resolves its hold there).
  SetupSession(SessionPaths paths, std::string code, std::chrono::milliseconds connectionTimeout,
               std::function<void()> onSaved);

  const SessionPaths& paths() const { return paths_; }
  VerificationCode& code() { return code_; }
  bool saved() const { return saved_.load(); }

  // Throws SetupError (403) unless `candidate` is the code; every answer says how many
  // attempts are left.
  void requireCode(std::string_view candidate);

  // The embedded folder as it will be saved: relative paths resolve against the host's
  // working folder.
  std::filesystem::path resolveFolder(const std::string& typed) const;

  CheckResult check(const Connection& connection) const;

  // Checks the connection, then writes the config file and the admin user; throws
  // SetupError naming the field or file at fault, and then nothing was changed.
  SaveResult save(const Connection& connection, const AdminUser& admin);

 private:
  SessionPaths paths_;
  VerificationCode code_;
  std::chrono::milliseconds connectionTimeout_;
  std::function<void()> onSaved_;
  std::mutex saving_;  // one save at a time
  std::atomic<bool> saved_{false};
};

// "2026-11-23T02:20:11Z"
std::string utcTimestamp(std::chrono::system_clock::time_point when);

}  // namespace orrery::interactive_setup
