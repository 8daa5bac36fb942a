#include "password_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include "sodium_helpers.hpp"

namespace orrery::security::cli {

namespace {

// Turns terminal echo off for its lifetime.
class NoEcho {
 public:
  NoEcho() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::string readLine() {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    throw std::runtime_error("no password given: standard input ended before a line was read");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();  // a file written on Windows
  return line;
}

std::string prompt(const std::string& text) {
  std::cerr << text << std::flush;
  std::string line;
  {
    NoEcho noEcho;
    line = readLine();
  }
  std::cerr << '\n';  // the Enter the user typed was not echoed
  return line;
}

}  // namespace

std::string readNewPassword(std::string_view username) {
  std::string password;
  if (::isatty(STDIN_FILENO)) {
    password = prompt("Password for " + std::string(username) + ": ");
    auto again = prompt("Repeat the password: ");
    const bool same = password == again;
    wipe(again);
    if (!same) {
      wipe(password);
      throw std::runtime_error("the passwords do not match");
    }
  } else {
    password = readLine();
  }
  if (password.empty()) throw std::runtime_error("the password must not be empty");
  return password;
}

}  // namespace orrery::security::cli
