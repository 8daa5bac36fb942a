#include <doctest/doctest.h>
#include <sys/stat.h>

#include <set>

#include "tests/support/temp_dir.hpp"
#include "verification_code.hpp"

#include <fstream>

using namespace orrery::interactive_setup;

TEST_CASE("random codes are six digits and differ") {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const auto code = makeRandomCode();
    CHECK(looksLikeCode(code));
    seen.insert(code);
  }
  // 50 draws from a million: a repeat is possible but would mean a broken source.
  CHECK(seen.size() >= 49);
}

TEST_CASE("the right code is accepted and keeps the attempts") {
  VerificationCode code("123456");
  const auto result = code.check("123456");
  CHECK(result.outcome == CodeCheck::Outcome::accepted);
  CHECK(result.attemptsLeft == kMaxCodeAttempts);
}

TEST_CASE("each wrong code uses an attempt; the fifth locks, and then even the right code is refused") {
  VerificationCode code("123456");
  for (int left = kMaxCodeAttempts - 1; left > 0; --left) {
    const auto result = code.check("000000");
    CHECK(result.outcome == CodeCheck::Outcome::wrong);
    CHECK(result.attemptsLeft == left);
  }
  CHECK(code.check("12345").outcome == CodeCheck::Outcome::locked);
  CHECK(code.locked());
  const auto after = code.check("123456");
  CHECK(after.outcome == CodeCheck::Outcome::locked);
  CHECK(after.attemptsLeft == 0);
}

TEST_CASE("codes of another length are wrong, not errors") {
  VerificationCode code("123456");
  CHECK(code.check("").outcome == CodeCheck::Outcome::wrong);
  CHECK(code.check("1234567").outcome == CodeCheck::Outcome::wrong);
  CHECK(code.attemptsLeft() == kMaxCodeAttempts - 2);
}

TEST_CASE("the code file is written with mode 0600") {
  orrery::test::TempDir dir;
  VerificationCode code("654321");
  const auto file = dir.path() / "interactive_setup" / "verification_code";
  code.writeTo(file);
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  std::ifstream in(file);
  std::string text;
  std::getline(in, text);
  CHECK(text == "654321");
}
