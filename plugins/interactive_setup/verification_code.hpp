// The one-time verification code that proves the person at the setup page can read the
// host's log or data folder: six digits from a cryptographic random source, compared in
// constant time, and good for a limited number of wrong guesses (then setup stays locked
// until the host restarts and makes a new code).
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace orrery::interactive_setup {

inline constexpr int kMaxCodeAttempts = 5;

struct CodeCheck {
  enum class Outcome { accepted, wrong, locked };
  Outcome outcome = Outcome::wrong;
  int attemptsLeft = 0;
};

class VerificationCode {
 public:
  explicit VerificationCode(std::string code);

  const std::string& text() const { return code_; }

  // Checks `candidate`. Every wrong answer uses up an attempt; once none are left every
  // answer, right or wrong, is `locked`. Thread-safe.
  CodeCheck check(std::string_view candidate);
  int attemptsLeft() const;
  bool locked() const { return attemptsLeft() == 0; }

  // Writes the code to `file` (mode 0600, folders 0700) so that an operator who cannot
  // read the log can still find it.
  void writeTo(const std::filesystem::path& file) const;

 private:
  std::string code_;
  mutable std::mutex mutex_;
  int attemptsLeft_ = kMaxCodeAttempts;
};

// Six random digits from the kernel's CSPRNG (libsodium), uniformly distributed.
std::string makeRandomCode();

// Six ASCII digits.
bool looksLikeCode(std::string_view text);

}  // namespace orrery::interactive_setup
