"""Fails if any SDK header, directly or through what it includes, reaches Boost.Beast.

Runs the C++ compiler's preprocessor with -H on each public header and reads the list of
headers it opened. Usage: check_sdk_includes.py SDK_INCLUDE_DIR COMPILER [ARGS...]
"""
import pathlib
import subprocess
import sys

FORBIDDEN = ("boost/beast",)


def main() -> int:
    include_dir = pathlib.Path(sys.argv[1])
    compiler = sys.argv[2:]
    headers = sorted((include_dir / "orrery").rglob("*.hpp"))
    if not headers:
        print(f"no SDK headers under {include_dir}")
        return 1
    failed = 0
    for header in headers:
        result = subprocess.run(
            compiler + ["-std=c++20", "-DBOOST_DLL_USE_STD_FS", f"-I{include_dir}", "-H", "-E", "-x", "c++",
                        "-o", "/dev/null", str(header)],
            capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(f"FAIL {header.relative_to(include_dir)}: does not preprocess on its own:\n{result.stderr[-2000:]}")
            failed += 1
            continue
        opened = [line.lstrip(". ").strip() for line in result.stderr.splitlines() if line.startswith(".")]
        bad = [path for path in opened if any(f in path for f in FORBIDDEN)]
        if bad:
            print(f"FAIL {header.relative_to(include_dir)} includes {bad[0]} (and {len(bad) - 1} more Beast headers)")
            failed += 1
        else:
            print(f"ok   {header.relative_to(include_dir)}: {len(opened)} headers, none from Boost.Beast")
    print(f"{len(headers) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
