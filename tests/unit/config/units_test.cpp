#include "core/config/units.hpp"

#include <doctest/doctest.h>

using namespace orrery::config;
using std::chrono::milliseconds;

TEST_CASE("parseDuration reads each unit") {
  CHECK(parseDuration("250ms") == milliseconds(250));
  CHECK(parseDuration("5s") == milliseconds(5'000));
  CHECK(parseDuration("5m") == milliseconds(300'000));
  CHECK(parseDuration("2h") == milliseconds(7'200'000));
  CHECK(parseDuration("7d") == milliseconds(604'800'000));
  CHECK(parseDuration("0s") == milliseconds(0));
  CHECK(parseDuration("007s") == milliseconds(7'000));
}

TEST_CASE("parseDuration refuses everything else") {
  for (const char* bad : {"", "5", "s", "ms", "-5s", "+5s", "5 s", " 5s", "5s ", "1.5s", "5S", "5sec", "5w",
                          "5ms5", "5m30s", "0x10s", "five s"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseDuration(bad).has_value());
  }
}

TEST_CASE("parseDuration refuses overflow") {
  CHECK(parseDuration("9223372036854775807ms") == milliseconds(9223372036854775807LL));
  CHECK_FALSE(parseDuration("9223372036854775808ms").has_value());
  CHECK_FALSE(parseDuration("9223372036854776s").has_value());
  CHECK_FALSE(parseDuration("106751991168d").has_value());
  CHECK(parseDuration("106751991167d").has_value());
  CHECK_FALSE(parseDuration("99999999999999999999999999d").has_value());
}

TEST_CASE("parseByteSize reads each unit in any case") {
  CHECK(parseByteSize("512b") == 512);
  CHECK(parseByteSize("64kb") == 64 * 1024);
  CHECK(parseByteSize("10mb") == 10 * 1024 * 1024);
  CHECK(parseByteSize("1gb") == 1024LL * 1024 * 1024);
  CHECK(parseByteSize("1tb") == 1024LL * 1024 * 1024 * 1024);
  CHECK(parseByteSize("64KB") == 64 * 1024);
  CHECK(parseByteSize("10Mb") == 10 * 1024 * 1024);
  CHECK(parseByteSize("512B") == 512);
  CHECK(parseByteSize("0kb") == 0);
}

TEST_CASE("parseByteSize refuses everything else") {
  for (const char* bad : {"", "512", "kb", "-1kb", "1.5mb", "1 kb", " 1kb", "1kib", "1k", "1pb", "1bb", "0x10kb"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseByteSize(bad).has_value());
  }
}

TEST_CASE("parseByteSize refuses overflow") {
  CHECK(parseByteSize("8388607tb") == 8388607LL << 40);
  CHECK_FALSE(parseByteSize("8388608tb").has_value());
  CHECK_FALSE(parseByteSize("9223372036854775808b").has_value());
}

TEST_CASE("formatDuration picks the largest exact unit") {
  CHECK(formatDuration(milliseconds(0)) == "0ms");
  CHECK(formatDuration(milliseconds(250)) == "250ms");
  CHECK(formatDuration(milliseconds(1500)) == "1500ms");
  CHECK(formatDuration(milliseconds(5'000)) == "5s");
  CHECK(formatDuration(milliseconds(90'000)) == "90s");
  CHECK(formatDuration(milliseconds(120'000)) == "2m");
  CHECK(formatDuration(milliseconds(7'200'000)) == "2h");
  CHECK(formatDuration(milliseconds(604'800'000)) == "7d");
}

TEST_CASE("formatBytes picks the largest exact unit") {
  CHECK(formatBytes(0) == "0b");
  CHECK(formatBytes(512) == "512b");
  CHECK(formatBytes(1500) == "1500b");
  CHECK(formatBytes(64 * 1024) == "64kb");
  CHECK(formatBytes(10 * 1024 * 1024) == "10mb");
  CHECK(formatBytes(1024LL * 1024 * 1024) == "1gb");
  CHECK(formatBytes(3LL << 40) == "3tb");
}

TEST_CASE("formatted values parse back to the same amount") {
  for (long long ms : {1LL, 999LL, 1000LL, 61'000LL, 3'600'000LL, 86'400'000LL * 3}) {
    CHECK(parseDuration(formatDuration(milliseconds(ms))) == milliseconds(ms));
  }
  for (long long n : {1LL, 1023LL, 1024LL, 5LL << 20, 7LL << 30, 2LL << 40}) {
    CHECK(parseByteSize(formatBytes(n)) == n);
  }
}
