// Runs a program (the real orrery binary) as a child process with its stdout and stderr
// captured, so tests can wait for a line, signal it and read its exit code. Every wait
// is on an event with an upper bound, never a sleep.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace harness {

using namespace std::chrono_literals;

class ChildProcess {
 public:
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& workingDir = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // True once `text` appears in the combined output; false if the process ends or the
  // timeout passes first.
  bool waitForOutput(std::string_view text, std::chrono::milliseconds timeout = 30s);
  void signal(int signal);
  // The exit code (128 + signal number if killed by one), or nullopt on timeout.
  std::optional<int> waitExit(std::chrono::milliseconds timeout = 30s);
  std::string output() const;
  pid_t pid() const { return pid_; }
  // Number of times `text` occurs in the output so far.
  std::size_t count(std::string_view text) const;
  // Position of the first occurrence of `text`, or npos.
  std::size_t find(std::string_view text) const;

 private:
  void readLoop(int fd);

  pid_t pid_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  std::optional<int> exitCode_;
};

}  // namespace harness
