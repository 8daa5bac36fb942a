// argon2id hashing through libsodium at the interactive cost.
#include <doctest/doctest.h>

#include "password_hash.hpp"

using namespace orrery::security;

TEST_CASE("hashPassword makes salted argon2id hashes at the interactive cost that verify") {
  const auto hash = hashPassword("correct horse");
  CHECK(hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));  // 64 MiB, 2 passes
  CHECK(looksLikeArgon2idHash(hash));
  CHECK(verifyPassword(hash, "correct horse"));
  CHECK_FALSE(verifyPassword(hash, "correct horse "));
  CHECK_FALSE(verifyPassword(hash, ""));
  CHECK(hashPassword("correct horse") != hash);  // a fresh salt each time
}

TEST_CASE("verifyPassword refuses what is not an argon2id hash, without throwing") {
  CHECK_FALSE(verifyPassword("", "x"));
  CHECK_FALSE(verifyPassword("plain", "plain"));
  CHECK_FALSE(verifyPassword("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA", "x"));
  CHECK_FALSE(verifyPassword("$argon2id$garbage", "x"));
  CHECK_FALSE(looksLikeArgon2idHash("$2y$10$abcdefghijklmnopqrstuv"));
  CHECK_FALSE(looksLikeArgon2idHash(std::string("$argon2id$\0", 11)));
}

TEST_CASE("verifyAgainstNothing always fails") {
  CHECK_FALSE(verifyAgainstNothing(""));
  CHECK_FALSE(verifyAgainstNothing("anything"));
}
