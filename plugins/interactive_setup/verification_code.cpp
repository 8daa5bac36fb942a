#include "verification_code.hpp"

#include <sodium.h>

#include <cstdio>

#include "atomic_file.hpp"
#include "sodium_helpers.hpp"

namespace orrery::interactive_setup {

std::string makeRandomCode() {
  security::ensureSodium();
  // randombytes_uniform is unbiased over [0, 10^6) and reads the kernel's CSPRNG.
  char text[8];
  std::snprintf(text, sizeof text, "%06u", static_cast<unsigned>(randombytes_uniform(1'000'000)));
  return text;
}

bool looksLikeCode(std::string_view text) {
  if (text.size() != 6) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

VerificationCode::VerificationCode(std::string code) : code_(std::move(code)) {}

CodeCheck VerificationCode::check(std::string_view candidate) {
  // The length is not secret (always six); the digits are compared in constant time so
  // that response times do not reveal how many leading digits were right.
  const bool equal = candidate.size() == code_.size() &&
                     sodium_memcmp(candidate.data(), code_.data(), code_.size()) == 0;
  std::lock_guard lock(mutex_);
  if (attemptsLeft_ == 0) return {CodeCheck::Outcome::locked, 0};
  if (equal) return {CodeCheck::Outcome::accepted, attemptsLeft_};
  --attemptsLeft_;
  return {attemptsLeft_ == 0 ? CodeCheck::Outcome::locked : CodeCheck::Outcome::wrong, attemptsLeft_};
}

int VerificationCode::attemptsLeft() const {
  std::lock_guard lock(mutex_);
  return attemptsLeft_;
}

void VerificationCode::writeTo(const std::filesystem::path& file) const {
  security::writeFileAtomically(file, code_ + "\n", 0600);
}

}  // namespace orrery::interactive_setup
