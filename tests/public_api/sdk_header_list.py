"""The SDK's public headers, as paths relative to sdk/include/orrery.

`sdk_header_list.py DIR` prints them, one a line: meson builds the stand-alone header test
from that list when it configures. `sdk_header_list.py DIR --check LISTED...` fails naming
every header under DIR that is not among LISTED (one added since the build was
configured: meson does not notice a new file by itself) and every listed one that is gone.
"""
import pathlib
import sys


def headers(folder: pathlib.Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.hpp"))


def main() -> int:
    folder = pathlib.Path(sys.argv[1])
    found = headers(folder)
    if not found:
        print(f"no SDK headers under {folder}", file=sys.stderr)
        return 1
    if len(sys.argv) < 3 or sys.argv[2] != "--check":
        print("\n".join(found))
        return 0
    listed = set(sys.argv[3:])
    missing = [h for h in found if h not in listed]
    gone = sorted(listed - set(found))
    for header in missing:
        print(f"FAIL orrery/{header} is not compiled on its own: reconfigure the build (meson setup --reconfigure)")
    for header in gone:
        print(f"FAIL orrery/{header} is listed but no longer exists: reconfigure the build")
    print(f"{len(found)} SDK headers, {len(found) - len(missing)} compiled on their own")
    return 1 if missing or gone else 0


if __name__ == "__main__":
    sys.exit(main())
