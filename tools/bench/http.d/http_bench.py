"""HTTP benchmark for the orrery host (run through tools/bench/http).

Starts the real `orrery` binary (bundled plugins plus the http_routes fixture, security
disabled, access log off) and nginx (Debian package, a static file with the same body as
the fixture route) on loopback, checks both answer, then runs wrk with the same settings
against nginx, orrery's /api/fixture/hello and orrery's /api/status (one short warm-up
each), and prints requests/s, p99 latency and the ratio to nginx.
Reports; exits 0 even when the target is missed, non-zero only on errors.
"""

import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

SECONDS = int(os.environ.get("ORRERY_BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("ORRERY_BENCH_CONNECTIONS", "64"))
THREADS = int(os.environ.get("ORRERY_BENCH_THREADS", "2"))
WARMUP_SECONDS = int(os.environ.get("ORRERY_BENCH_WARMUP", "2"))
START_TIMEOUT_S = float(os.environ.get("ORRERY_BENCH_TIMEOUT", "30"))
TARGET_RATIO = 0.5
NGINX = "/usr/sbin/nginx"
HELLO = "/api/fixture/hello"
STATUS = "/api/status"
LISTEN_RE = re.compile(r"http server listening on (http://\S+)")
READY_MARK = "orrery ready in"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


def orrery_config(tmp):
    # Logger levels are prefix matches (the longest wins), so `http: info` would also
    # switch on the access log `http.access`: it is set to warn explicitly.
    return ("server:\n  port: 0\n"
            "path:\n  data: %s\n"
            "logging:\n  level: warn\n  loggers:\n    host: info\n    http: info\n    http.access: warn\n"
            "security:\n  enabled: false\n"
            "interactive_setup:\n  enabled: false\n" % json.dumps(str(tmp / "data")))


NGINX_CONF = """\
# tools/bench/http: one static file on loopback, no access log, open file cache,
# keep-alive without a request limit (orrery has none either).
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    types {{ application/json json; }}
    default_type application/octet-stream;
    sendfile on;
    open_file_cache max=16;
    open_file_cache_valid 60s;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/html;
        location / {{ }}
    }}
}}
"""


class Server:
    """A process we started in its own process group, with stdout drained into lines."""

    def __init__(self, name, argv, cwd, log_path):
        self.name = name
        self.lines = []
        self.cond = threading.Condition()
        self.err = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.err, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            with self.cond:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, predicate, deadline):
        """First stdout line matching predicate; None when the process exits or time is up."""
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                if self.proc.poll() is not None and not self.reader.is_alive():
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.2))

    def tail(self, n=10):
        with self.cond:
            out = self.lines[-n:]
        try:
            out += Path(self.err.name).read_text(errors="replace").splitlines()[-n:]
        except OSError:
            pass
        return "\n  ".join(out)

    def pids(self):
        """The process and its direct children (nginx workers)."""
        pids = [self.proc.pid]
        try:
            children = Path("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)).read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        return pids

    def cpu_seconds(self):
        total = 0
        for pid in self.pids():
            try:
                fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
        return total / CLK_TCK

    def stop(self, sig=signal.SIGTERM, grace=10.0):
        """Stops the process group; returns the exit code (None if it had to be killed)."""
        code = self.proc.poll()
        if code is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                code = self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                code = None
        # Whatever is left of the group (nginx workers, if the master went first).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait()
        self.reader.join(5)
        self.proc.stdout.close()
        self.err.close()
        return code


def fetch(url):
    """(status, body bytes) of a GET; non-2xx is a result, not an exception."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_orrery(build, tmp):
    plugins = tmp / "plugins"
    plugins.mkdir()
    (tmp / "data").mkdir()
    manifest = json.loads((build / "tests" / "fixtures" / "http_routes.json").read_text())
    # Manifests name their library relative to their own folder.
    manifest["library"] = os.path.relpath(build / "tests" / "fixtures" / "http_routes.so", plugins)
    (plugins / "http_routes.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (tmp / "orrery.yml").write_text(orrery_config(tmp))
    server = Server("orrery", [str(build / "orrery"), "--config", str(tmp / "orrery.yml"),
                               "--plugin-path", str(plugins)], tmp, tmp / "orrery.stderr")
    deadline = time.monotonic() + START_TIMEOUT_S
    ready = server.wait_line(lambda line: READY_MARK in line, deadline)
    if ready is None:
        why = "exited with %s" % server.proc.poll() if server.proc.poll() is not None \
            else "no ready line within %.0fs" % START_TIMEOUT_S
        raise BenchError("orrery %s:\n  %s" % (why, server.tail()))
    listening = server.wait_line(lambda line: LISTEN_RE.search(line) is not None, deadline)
    if listening is None:
        raise BenchError("orrery is ready but printed no 'http server listening on' line:\n  %s" % server.tail())
    return server, LISTEN_RE.search(listening).group(1).rstrip("/")


def start_nginx(tmp, body, workers):
    if not os.access(NGINX, os.X_OK):
        raise BenchError("%s is missing: apt-get install nginx (tools/lib/packages.txt)" % NGINX)
    folder = tmp / "nginx"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "hello.json").write_bytes(body)
    # Workers run as nobody when we are root: they must be able to read the file.
    for path in (tmp, folder, folder / "html"):
        path.chmod(0o755)
    last = ""
    for attempt in range(5):
        port = free_port()
        (folder / "nginx.conf").write_text(NGINX_CONF.format(workers=workers, dir=folder, port=port))
        server = Server("nginx", [NGINX, "-p", str(folder), "-e", str(folder / "error.log"),
                                  "-c", str(folder / "nginx.conf")], folder, folder / "stderr.log")
        url = "http://127.0.0.1:%d/hello.json" % port
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and server.proc.poll() is None:
            try:
                fetch(url)
                return server, url
            except OSError:
                time.sleep(0.05)
        last = server.tail() + "\n  " + (folder / "error.log").read_text(errors="replace") \
            if (folder / "error.log").exists() else server.tail()
        server.stop()
        if "Address already in use" not in last:
            break  # not a port race: retrying will not help
    raise BenchError("nginx did not start:\n  %s" % last)


def parse_latency(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url, seconds):
    argv = ["wrk", "-t%d" % THREADS, "-c%d" % CONNECTIONS, "-d%ds" % seconds, "--latency", url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise BenchError("%s exited with %d:\n  %s" % (" ".join(argv), done.returncode, done.stderr or done.stdout))
    out = done.stdout
    rps = re.search(r"Requests/sec:\s*([0-9.]+)", out)
    p99 = re.search(r"^\s*99%\s+([0-9.]+)(us|ms|s|m)\s*$", out, re.M)
    total = re.search(r"(\d+) requests in", out)
    if not (rps and p99 and total):
        raise BenchError("could not read wrk's output for %s:\n%s" % (url, out))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(rps.group(1)), "p99": parse_latency(*p99.groups()), "requests": int(total.group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()))) if errors else {},
            "wrk_cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "argv": argv}


def measure(name, server, url):
    run_wrk(url, WARMUP_SECONDS)
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    result = run_wrk(url, SECONDS)
    result["server_cores"] = (server.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    result["name"], result["url"] = name, url
    bad = result["non2xx"] or any(result["errors"].values())
    print("  measured %-26s %9.0f req/s, p99 %.2f ms%s" % (
        name, result["rps"], result["p99"], " (non-2xx %d, socket errors %s)" % (result["non2xx"], result["errors"])
        if bad else ""), flush=True)
    return result


def buildtype(build):
    try:
        options = json.loads((build / "meson-info" / "intro-buildoptions.json").read_text())
        return next(o["value"] for o in options if o["name"] == "buildtype")
    except (OSError, ValueError, StopIteration, KeyError):
        return "unknown"


def loadavg():
    return " ".join("%.2f" % v for v in os.getloadavg())


def main(argv):
    if len(argv) != 2:
        raise BenchError("usage: http_bench.py BUILD_DIR")
    build = Path(argv[1]).resolve()
    for needed in (build / "orrery", build / "tests" / "fixtures" / "http_routes.so",
                   build / "tests" / "fixtures" / "http_routes.json"):
        if not needed.exists():
            raise BenchError("missing %s (build orrery and tests/fixtures/http_routes.so)" % needed)
    if shutil.which("wrk") is None:
        raise BenchError("wrk is missing: apt-get install wrk (tools/lib/packages.txt)")
    tmp = Path(tempfile.mkdtemp(prefix="orrery-bench-http-"))
    servers = []
    try:
        return run(build, tmp, servers)
    finally:
        for server in reversed(servers):
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def run(build, tmp, servers):
    cores = os.cpu_count() or 1
    # The host runs min(cores, 4) I/O threads (core/bootstrap/host.cpp); nginx gets as many workers.
    io_threads = min(cores, 4)
    print("orrery HTTP benchmark: %s (buildtype %s); %d cores (nproc), load avg %s at start"
          % (build / "orrery", buildtype(build), cores, loadavg()))
    print("wrk -t%d -c%d, %d s per figure after a %d s warm-up; orrery %d I/O threads, nginx %d workers"
          % (THREADS, CONNECTIONS, SECONDS, WARMUP_SECONDS, io_threads, io_threads), flush=True)

    orrery, base = start_orrery(build, tmp)
    servers.append(orrery)
    # The host logger's status line of every plugin that did not start (e.g. a bundled
    # plugin whose library is not built): the reason /api/status may answer 503.
    for line in orrery.lines:
        found = re.search(r"\[host\] (plugin \S+ .*?: (?:unavailable|degraded) \(.*?\)) plugin=", line)
        if found:
            print("note: orrery: %s" % found.group(1))

    hello_code, hello_body = fetch(base + HELLO)
    if hello_code != 200:
        raise BenchError("GET %s answered %d, not 200: %s" % (base + HELLO, hello_code, hello_body[:200]))
    status_code, status_body = fetch(base + STATUS)
    print("orrery at %s: GET %s -> %d (%d bytes), GET %s -> %d (%d bytes)%s"
          % (base, HELLO, hello_code, len(hello_body), STATUS, status_code, len(status_body),
             "" if status_code == 200 else ": " + status_body.decode(errors="replace")[:120]))

    nginx, nginx_url = start_nginx(tmp, hello_body, io_threads)
    servers.append(nginx)
    nginx_code, nginx_body = fetch(nginx_url)
    if nginx_code != 200 or nginx_body != hello_body:
        raise BenchError("GET %s answered %d with %r, expected 200 with %r" % (nginx_url, nginx_code, nginx_body,
                                                                                hello_body))
    print("nginx %s at %s: GET /hello.json -> %d (%d bytes, the same body)"
          % (subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1],
             nginx_url.rsplit("/", 1)[0], nginx_code, len(nginx_body)))
    print(flush=True)

    log_mark = len(orrery.lines)
    rows = [measure("nginx static file", nginx, nginx_url),
            measure("orrery " + HELLO, orrery, base + HELLO),
            measure("orrery " + STATUS, orrery, base + STATUS)]
    codes = {rows[0]["name"]: nginx_code, rows[1]["name"]: hello_code, rows[2]["name"]: status_code}
    logged = orrery.lines[log_mark:]
    load_end = loadavg()

    code = orrery.stop()
    servers.remove(orrery)
    if code != 0:
        print("note: orrery exited with %s after SIGTERM (expected 0)" % code)

    print()
    nginx_rps = rows[0]["rps"]
    head = ("target", "status", "requests/s", "p99 ms", "ratio", "server cores", "requests", "non-2xx", "sock errs")
    fmt = "%-26s %6s %10s %8s %6s %12s %9s %8s %9s"
    print(fmt % head)
    print(fmt % tuple("-" * len(h) for h in head))
    for row in rows:
        print(fmt % (row["name"], codes[row["name"]], "%.0f" % row["rps"], "%.2f" % row["p99"],
                     "%.2fx" % (row["rps"] / nginx_rps), "%.2f" % row["server_cores"], row["requests"],
                     row["non2xx"], sum(row["errors"].values())))
    print()
    ratio = rows[1]["rps"] / nginx_rps
    print("target: orrery %s >= %.1f x nginx requests/s: %s (%.2fx: %.0f vs %.0f req/s)"
          % (HELLO, TARGET_RATIO, "PASS" if ratio >= TARGET_RATIO else "BELOW", ratio, rows[1]["rps"], nginx_rps))
    print("columns: status = code of a single GET before measuring; p99 = wrk's 99th percentile latency;"
          " ratio = requests/s / nginx's; server cores = CPU seconds the server used per wall second"
          " (wrk itself used %s cores); non-2xx and socket errors as wrk counts them"
          % "/".join("%.2f" % (r["wrk_cpu"] / SECONDS) for r in rows))
    if logged:
        print("note: orrery logged %d lines during the runs, e.g.: %s" % (len(logged), logged[0]))
    print("machine: %d cores (nproc), load avg %s at the end (wrk, the servers and other jobs share the cores)"
          % (cores, load_end))
    return 0


def on_signal(signum, _frame):
    sys.exit(128 + signum)


if __name__ == "__main__":
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        sys.exit(main(sys.argv))
    except BenchError as error:
        print("tools/bench/http: error: %s" % error, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
