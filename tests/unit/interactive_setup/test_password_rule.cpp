#include <doctest/doctest.h>

#include "password_rule.hpp"

using orrery::interactive_setup::passwordProblem;

TEST_CASE("the password rule") {
  CHECK(passwordProblem("Correct-Horse-9", "admin").empty());
  CHECK(passwordProblem("correcthorse99", "admin").find("too weak") != std::string::npos);  // two kinds only
  CHECK(passwordProblem("correct horse 99", "admin").empty());  // lower, digits, spaces
  CHECK(passwordProblem("short1A!", "admin").find("too short") != std::string::npos);
  CHECK(passwordProblem("alllowercaseletters", "admin").find("too weak") != std::string::npos);
  CHECK(passwordProblem("Admin-Password-1", "admin").find("must not contain the username") != std::string::npos);
  CHECK(passwordProblem(std::string(257, 'a') + "B1", "admin").find("too long") != std::string::npos);
}

TEST_CASE("lengths count characters, not bytes") {
  // 11 characters, 22 bytes of two-byte letters, plus kinds: still too short.
  CHECK(passwordProblem("ééééééééé1A", "admin").find("11 characters") != std::string::npos);
}
