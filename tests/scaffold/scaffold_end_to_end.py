"""tools/new-plugin, end to end, as a plugin author would use it.

1. tools/new-plugin refuses a bad NAME (exit 2) and a non-empty DIR (exit 1).
2. `meson install --tags devel --destdir` installs the SDK from this build: headers and a
   relocatable orrery-sdk.pc that works with nothing but PKG_CONFIG_PATH.
3. tools/new-plugin writes plugin `demo`; it builds out of tree against that SDK with
   -Wall -Wextra -Werror, and its own unit tests pass.
4. The real orrery binary loads it from the build folder: the setup line, the status line
   `plugin demo standard 0.1.0: available` and `orrery ready in` appear; SIGTERM stops
   the host with exit code 0 after the plugin's stop().

Usage: scaffold_end_to_end.py --source-root DIR --build-root DIR --orrery BINARY
"""
import argparse
import json
import os
import pathlib
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

READY_TIMEOUT_S = 120  # a sanitized host on a busy machine starts slowly
STOP_TIMEOUT_S = 60


class Failure(Exception):
    pass


def tail(text, lines=60):
    parts = text.rstrip().splitlines()
    shown = parts[-lines:]
    prefix = [f"... ({len(parts) - lines} earlier lines)"] if len(parts) > lines else []
    return "\n".join("    " + line for line in prefix + shown)


def run(cmd, *, env, cwd=None, timeout=300, expect=0):
    """Runs cmd; returns its combined output, or raises Failure showing it."""
    shown = " ".join(str(c) for c in cmd)
    print(f"$ {shown}", flush=True)
    try:
        done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except subprocess.TimeoutExpired as e:
        out = e.output.decode(errors="replace") if isinstance(e.output, bytes) else (e.output or "")
        raise Failure(f"`{shown}` did not finish within {timeout}s; its output:\n{tail(out)}")
    if expect is not None and done.returncode != expect:
        raise Failure(f"`{shown}` exited {done.returncode}, expected {expect}; its output:\n"
                      f"{tail(done.stdout)}")
    return done


def check(condition, message):
    if not condition:
        raise Failure(message)


def sdk_version(source_root):
    text = (source_root / "sdk/include/orrery/version.hpp").read_text()
    parts = [re.search(rf"#define ORRERY_SDK_VERSION_{p} (\d+)", text).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


def check_refusals(new_plugin, tmp, env):
    done = run([new_plugin, "--help"], env=env)
    check("Usage: tools/new-plugin NAME DIR" in done.stdout, f"--help shows no usage:\n{tail(done.stdout)}")

    for index, bad in enumerate(("Demo", "9lives", "my-plugin", "class", "plugins", "a__b")):
        target = tmp / f"refused_{index}"
        done = run([new_plugin, bad, target], env=env, expect=2)
        check(f"'{bad}'" in done.stdout, f"the error for NAME {bad!r} does not name it:\n{tail(done.stdout)}")
        check(not target.exists(), f"a refused NAME {bad!r} still created {target}")

    full = tmp / "not_empty"
    full.mkdir()
    (full / "keep.txt").write_text("mine\n")
    done = run([new_plugin, "demo", full], env=env, expect=1)
    check("not empty" in done.stdout, f"the error for a non-empty DIR is unclear:\n{tail(done.stdout)}")
    check(sorted(p.name for p in full.iterdir()) == ["keep.txt"] and (full / "keep.txt").read_text() == "mine\n",
          f"new-plugin touched the non-empty folder {full}")


def install_sdk(build_root, tmp, env):
    stage = tmp / "stage"
    run(["meson", "install", "-C", build_root, "--no-rebuild", "--tags", "devel", "--destdir", stage],
        env=env, timeout=120)
    pcs = sorted(stage.rglob("orrery-sdk.pc"))
    check(len(pcs) == 1, f"meson install put {len(pcs)} orrery-sdk.pc files under {stage}: {pcs}")
    pc_dir = pcs[0].parent
    check(pc_dir.name == "pkgconfig",
          f"orrery-sdk.pc is not in a pkgconfig folder: {pcs[0]}")
    headers = sorted(p.name for p in stage.rglob("include/orrery/*.hpp"))
    for needed in ("orrery.hpp", "plugin.hpp", "export.hpp", "version.hpp"):
        check(needed in headers, f"{needed} was not installed under {stage}/.../include/orrery (got {headers})")
    return stage, pc_dir


def check_pkg_config(env, expected_version):
    cflags = run(["pkg-config", "--cflags", "orrery-sdk"], env=env).stdout.split()
    for flag in ("-std=c++20", "-DBOOST_DLL_USE_STD_FS"):
        check(flag in cflags, f"pkg-config --cflags orrery-sdk lacks {flag}: {cflags}")
    includes = [pathlib.Path(f[2:]) for f in cflags if f.startswith("-I")]
    check(any((inc / "orrery/plugin.hpp").is_file() for inc in includes),
          f"no -I of pkg-config --cflags orrery-sdk holds orrery/plugin.hpp: {cflags}")
    for query in (["--modversion"], ["--variable=sdk_version"]):
        got = run(["pkg-config", *query, "orrery-sdk"], env=env).stdout.strip()
        check(got == expected_version, f"pkg-config {query[0]} orrery-sdk is {got!r}, the headers say {expected_version}")


def build_demo(new_plugin, tmp, env, version):
    demo = tmp / "demo"
    run([new_plugin, "demo", demo], env=env)
    for name in ("meson.build", "src/demo.cpp", "include/demo/demo_contract.hpp", "demo.json",
                 "tests/test_demo.cpp", "README.md"):
        check((demo / name).is_file(), f"new-plugin did not write {name}")
    manifest = json.loads((demo / "demo.json").read_text())
    major, minor, _ = version.split(".")
    check(manifest["id"] == "demo" and manifest["version"] == "0.1.0" and manifest["library"] == "demo.so"
          and manifest["sdkVersion"] == f"^{major}.{minor}.0", f"unexpected manifest: {manifest}")
    check('"demo.setup@1"' in (demo / "include/demo/demo_contract.hpp").read_text(),
          "the contract header lacks kContractId \"demo.setup@1\"")

    build = demo / "build"
    run(["meson", "setup", build, demo, "-Dtests=enabled"], env=env, cwd=demo, timeout=180)
    run(["meson", "compile", "-C", build], env=env, timeout=420)
    done = run(["meson", "test", "-C", build, "--print-errorlogs"], env=env, timeout=180)
    check(re.search(r"Ok:\s+1\b", done.stdout), f"the demo's unit test did not run and pass:\n{tail(done.stdout)}")

    commands = json.loads((build / "compile_commands.json").read_text())
    plugin_cmd = next((c["command"] for c in commands if c["file"].endswith("demo.cpp")), None)
    check(plugin_cmd is not None, "compile_commands.json has no entry for src/demo.cpp")
    for flag in ("-Wall", "-Wextra", "-Werror", "-fvisibility=hidden"):
        check(flag in plugin_cmd.split(), f"src/demo.cpp was compiled without {flag}: {plugin_cmd}")
    folder = build / "src"
    check((folder / "demo.so").is_file() and (folder / "demo.json").is_file(),
          f"{folder} does not hold demo.so beside demo.json: {sorted(p.name for p in folder.iterdir())}")
    return folder


class Host:
    """The orrery binary with its output read line by line on a thread."""

    def __init__(self, cmd, env):
        print("$ " + " ".join(str(c) for c in cmd), flush=True)
        self.lines = []
        self._queue = queue.Queue()
        self.proc = subprocess.Popen([str(c) for c in cmd], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text, timeout):
        """True once a line containing text appears; False at EOF or the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                return False
            if line is None:
                return False
            self.lines.append(line)
            if text in line:
                return True

    def finish(self, timeout):
        """Waits for exit and the rest of the output; the exit code, or None if still running."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.wait_for("\0never\0", 10)  # drain to EOF
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self):
        return tail("\n".join(self.lines), 80)


def run_host(orrery, plugin_folder, tmp, env):
    config = tmp / "empty.yml"
    config.write_text("")
    # A fresh data folder would hold the host in first-run setup (interactive_setup).
    host = Host([orrery, "--plugin-path", plugin_folder, "--set", f"path.data={tmp / 'data'}",
                 "--set", "interactive_setup.enabled=false",
                 "--set", "demo.greeting=Howdy", "--config", config], env)
    try:
        if not host.wait_for("orrery ready in", READY_TIMEOUT_S):
            state = "exited with code %s" % host.proc.poll() if host.proc.poll() is not None else "still running"
            raise Failure(f"orrery never logged 'orrery ready in' within {READY_TIMEOUT_S}s ({state}); its log:\n"
                          f"{host.log()}")
        log = "\n".join(host.lines)
        expectations = [
            ("the plugin's setup line", r"\[plugins\.demo\] demo set up greeting=Howdy"),
            ("the plugin's status line", r"plugin demo standard 0\.1\.0: available \(ready to greet\)"),
            ("the plugin's start line", r"\[plugins\.demo\] demo started: Howdy, operator!"),
        ]
        for what, pattern in expectations:
            check(re.search(pattern, log), f"{what} (/{pattern}/) is not in the log:\n{host.log()}")
        check("plugin demo failed" not in log, f"the demo plugin failed:\n{host.log()}")

        host.proc.send_signal(signal.SIGTERM)
        code = host.finish(STOP_TIMEOUT_S)
        check(code is not None, f"orrery did not exit within {STOP_TIMEOUT_S}s of SIGTERM; its log:\n{host.log()}")
        check(code == 0, f"orrery exited {code} after SIGTERM, expected 0; its log:\n{host.log()}")
        check(any("[plugins.demo] demo stopped" in line for line in host.lines),
              f"the plugin's stop() line is not in the log:\n{host.log()}")
        print(f"orrery's log:\n{host.log()}")
    finally:
        host.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source-root", type=pathlib.Path, required=True)
    parser.add_argument("--build-root", type=pathlib.Path, required=True)
    parser.add_argument("--orrery", type=pathlib.Path, required=True)
    args = parser.parse_args()

    # meson test ends a test that overruns with SIGTERM: clean up on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("scaffold_end_to_end: terminated"))

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="orrery-scaffold-"))
    try:
        env = dict(os.environ)
        # The generated project builds with ccache when meson finds it; relative to the temp
        # folder, its paths are the same in every run, so the cache hits.
        env["CCACHE_BASEDIR"] = str(tmp)
        env["CCACHE_NOHASHDIR"] = "true"
        new_plugin = args.source_root / "tools" / "new-plugin"
        version = sdk_version(args.source_root)

        check_refusals(new_plugin, tmp, env)
        stage, pc_dir = install_sdk(args.build_root, tmp, env)
        # Only the temp SDK: a system-wide orrery-sdk must not stand in for it.
        env["PKG_CONFIG_PATH"] = str(pc_dir)
        env["PKG_CONFIG_LIBDIR"] = str(pc_dir)
        if "${pcfiledir}" not in (pc_dir / "orrery-sdk.pc").read_text():
            # A libdir outside the prefix makes the .pc absolute: read it as staged.
            env["PKG_CONFIG_SYSROOT_DIR"] = str(stage)
        check_pkg_config(env, version)
        plugin_folder = build_demo(new_plugin, tmp, env, version)
        run_host(args.orrery, plugin_folder, tmp, env)
    except Failure as e:
        print(f"\nscaffold_end_to_end FAILED: {e}", file=sys.stderr, flush=True)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("scaffold_end_to_end: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
