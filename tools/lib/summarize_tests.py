"""Prints the closing line of tools/test: how many test cases passed and failed.

Counts doctest cases inside each test executable (from its own summary line), one case
for any other test (Python checks, corpus replays), plus the fuzz runs.
Usage: summarize_tests.py FUZZ_PASSED FUZZ_FAILED TESTLOG_JSON...
"""
import json
import re
import sys

DOCTEST = re.compile(r"\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed")


def main() -> int:
    fuzz_passed, fuzz_failed, logs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    passed, failed = fuzz_passed, fuzz_failed
    for log in logs:
        with open(log, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                ok = record.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
                counts = DOCTEST.findall(record.get("stdout") or "")
                if counts and ok:
                    passed += int(counts[-1][1])
                    failed += int(counts[-1][2])
                elif counts:
                    passed += int(counts[-1][1])
                    failed += max(1, int(counts[-1][2]))
                elif ok:
                    passed += 1
                else:
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
