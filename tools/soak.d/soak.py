"""Soak run (through tools/soak): one real `orrery` host under mixed load for a while.

The host runs with security on (user `soak`, superuser), the embedded engine, the access
log off. ORRERY_SOAK_CLIENTS threads each keep a connection and pick, in a fixed rotation,
one of the request kinds below until ORRERY_SOAK_SECONDS pass. Every kind says which
answers it expects: a request that should be served must answer 2xx (429 counts as
rejected, not as an error: it is the host protecting itself); a request that should be
refused must answer 4xx. Anything else — a 5xx, a dropped connection, a wrong 2xx — is an
error and is printed. RSS is read from /proc/<pid>/status at start, at the end of the
warm-up (ORRERY_SOAK_WARMUP) and at the end, and sampled every 10 s. The host's own memory
(RssAnon: heap, stacks, SQLite's page caches) must not grow: its peak over the second half
of the time after the warm-up may exceed its peak over the first half by at most 10%.
Peaks, not single samples, because the figure swings by half as caches fill and an index
is deleted; a leak raises the later peak. The
file-backed part (RssFile: the binary, the libraries and the index files SQLite maps) is
printed beside it but not judged: it follows the size of the data, which is the page
cache's to give back. Bulk writes cycle through ORRERY_SOAK_IDS document ids (1,000) per
index, so the data reaches its steady size during the warm-up and later growth is the
host's, not the data's.
"""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from bench_host import Host  # noqa: E402  (tools/lib, shared with the benchmarks)

SECONDS = float(os.environ.get("ORRERY_SOAK_SECONDS", "600"))
WARMUP = float(os.environ.get("ORRERY_SOAK_WARMUP", "60"))
CLIENTS = int(os.environ.get("ORRERY_SOAK_CLIENTS", "4"))
IDS = int(os.environ.get("ORRERY_SOAK_IDS", "1000"))
PASSWORD = "soak-password-1"
GOOD = {"Authorization": "Basic " + base64.b64encode(("soak:" + PASSWORD).encode()).decode(),
        "Content-Type": "application/json"}
SERVICES = ["api", "web", "db", "auth", "queue"]


def memory_kib(pid):
    """{"VmRSS": ..., "RssAnon": ..., "RssFile": ...} in KiB, from /proc/<pid>/status."""
    out = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key = line.split(":")[0]
            if key in out:
                out[key] = int(line.split()[1])
    return out


def shown(memory):
    return "%d (anon %d, file %d)" % (memory["VmRSS"], memory["RssAnon"], memory["RssFile"])


def start_host(build, folder):
    users = folder / "data" / "security" / "users.yml"
    subprocess.run([str(build / "orrery"), "users", "add", "soak", "--role", "superuser", "--file", str(users)],
                   input=PASSWORD + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
    return Host(build, folder,
                "logging:\n  level: warn\n  loggers:\n    host: info\n    http: info\n    http.access: error\n"
                "interactive_setup:\n  enabled: false\ndata:\n  local:\n    path: %s\n" % json.dumps(str(folder / "indices")))


def bulk_body(seed, count=200):
    lines = []
    for i in range(count):
        n = seed * count + i
        lines.append('{"index":{"_id":"%d"}}' % (n % IDS))
        lines.append(json.dumps({"timestamp": 1700000000000 + n * 1000, "service": SERVICES[n % 5],
                                 "latency_ms": (n * 37) % 2000, "message": "request %d done in zone %d" % (n, n % 7)}))
    return "\n".join(lines) + "\n"


def deep_bool(depth):
    # Text, not json.dumps: Python's encoder recurses and stops at about 1,000 levels.
    return '{"query":' + '{"bool":{"must":[' * depth + '{"match_all":{}}' + ']}}' * depth + '}'


# (name, method, path, body, headers, expect) — expect "ok" (2xx) or "refused" (4xx).
def kinds():
    bad_auth = dict(GOOD, Authorization="Basic " + base64.b64encode(b"soak:wrong").decode())
    no_auth = {"Content-Type": "application/json"}
    bogus_key = dict(GOOD, Authorization="ApiKey " + base64.b64encode(b"nope:nope").decode())
    ndjson = dict(GOOD, **{"Content-Type": "application/x-ndjson"})
    counter = iter(range(1 << 62))
    return [
        ("bulk", lambda: ("POST", "/es/logs-%d/_bulk" % (next(counter) % 3), bulk_body(next(counter)), ndjson), "ok"),
        ("search match+terms", lambda: ("POST", "/es/logs-*/_search", json.dumps(
            {"query": {"match": {"message": "done zone"}}, "size": 10,
             "aggs": {"s": {"terms": {"field": "service.keyword"}}}}), GOOD), "ok"),
        ("search range+histogram", lambda: ("POST", "/es/logs-*/_search", json.dumps(
            {"size": 0, "query": {"range": {"latency_ms": {"gte": 500}}},
             "aggs": {"h": {"date_histogram": {"field": "timestamp", "fixed_interval": "1h"},
                            "aggs": {"p": {"percentiles": {"field": "latency_ms"}}}}}}), GOOD), "ok"),
        ("search q=", lambda: ("GET", "/es/logs-*/_search?q=message:done%20AND%20service:api&size=5", None, GOOD), "ok"),
        ("status", lambda: ("GET", "/api/status", None, GOOD), "ok"),
        ("count", lambda: ("GET", "/es/logs-*/_count", None, GOOD), "ok"),
        ("bad: malformed json", lambda: ("POST", "/es/logs-0/_search", '{"query":{"match":', GOOD), "refused"),
        ("bad: deep query", lambda: ("POST", "/es/logs-0/_search", deep_bool(5000), GOOD), "refused"),
        ("bad: deep q=", lambda: ("GET", "/es/logs-0/_search?q=" + "(" * 3000 + "a" + ")" * 3000, None, GOOD), "refused"),
        ("bad: index name with NUL", lambda: ("POST", "/es/_bulk", '{"index":{"_index":"logs-0\\u0000"}}\n{"a":1}\n',
                                              ndjson), "refused-or-item-error"),
        ("bad: wrong type", lambda: ("POST", "/es/logs-0/_search", '{"size":"x"}', GOOD), "refused"),
        ("bad: unknown query", lambda: ("POST", "/es/logs-0/_search", '{"query":{"nope":{}}}', GOOD), "refused"),
        ("auth: wrong password", lambda: ("GET", "/es/logs-0/_search", None, bad_auth), "refused"),
        ("auth: none", lambda: ("POST", "/es/logs-0/_search", "{}", no_auth), "refused"),
        ("auth: bogus api key", lambda: ("GET", "/api/status", None, bogus_key), "any-but-5xx"),
        ("scratch index churn", lambda: ("DELETE", "/es/scratch", None, GOOD), "ok-or-404"),
        ("scratch index write", lambda: ("PUT", "/es/scratch/_doc/1", '{"v":1}', GOOD), "ok"),
    ]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}
        self.errors = {}
        self.rejected = {}
        self.samples = []

    def add(self, name, ms, error=None, rejected=False):
        with self.lock:
            self.latencies.setdefault(name, []).append(ms)
            if error:
                self.errors.setdefault(name, []).append(error)
            if rejected:
                self.rejected[name] = self.rejected.get(name, 0) + 1


def judge(expect, status, body):
    if status == 429:
        return None, True
    if status >= 500:
        return "answered %d: %s" % (status, body[:200]), False
    if expect == "ok" and not 200 <= status < 300:
        return "answered %d: %s" % (status, body[:200]), False
    if expect == "ok-or-404" and status not in (200, 404):
        return "answered %d: %s" % (status, body[:200]), False
    if expect == "refused" and not 400 <= status < 500:
        return "answered %d where a refusal was due" % status, False
    if expect == "refused-or-item-error":
        if 400 <= status < 500:
            return None, False
        if status == 200 and b'"errors":true' in body:
            return None, False
        return "answered %d without refusing the name: %s" % (status, body[:200]), False
    if expect == "ok" and b'"errors":true' in body:
        return "bulk reported item errors: %s" % body[:200], False
    return None, False


def client(port, deadline, offset, stats):
    table = kinds()
    connection = None
    i = offset
    while time.monotonic() < deadline:
        name, make, expect = table[i % len(table)]
        i += 1
        method, path, body, headers = make()
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            ms = (time.perf_counter() - started) * 1000
            error, rejected = judge(expect, response.status, data)
            stats.add(name, ms, error, rejected)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as failure:
            ms = (time.perf_counter() - started) * 1000
            # A refused request may be answered before its body was read, then the
            # connection closes: a reset while sending is what that looks like.
            refused_early = expect in ("refused", "any-but-5xx") and isinstance(
                failure, (BrokenPipeError, ConnectionResetError))
            stats.add(name, ms, None if refused_early else "%s: %s" % (type(failure).__name__, failure))
            connection.close()
            connection = None


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    build = Path(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="orrery-soak-") as tmp:
        host = start_host(build, Path(tmp))
        stats = Stats()
        pid = host.proc.pid
        rss_start = memory_kib(pid)
        started = time.monotonic()
        deadline = started + SECONDS
        threads = [threading.Thread(target=client, args=(host.port, deadline, n * 5, stats), daemon=True)
                   for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        rss_warm = None
        next_sample = started
        while any(thread.is_alive() for thread in threads) and host.alive():
            now = time.monotonic()
            if rss_warm is None and now - started >= WARMUP:
                rss_warm = memory_kib(pid)
            if now >= next_sample:
                stats.samples.append((now - started, memory_kib(pid)))
                next_sample += 10
            for thread in threads:
                thread.join(timeout=1)
        died = not host.alive()
        rss_end = None if died else memory_kib(pid)
        stop = host.stop()

    total = sum(len(v) for v in stats.latencies.values())
    print("soak: %d s, %d clients, %d requests (%.0f/s)" % (SECONDS, CLIENTS, total, total / SECONDS))
    print("%-26s %8s %7s %8s %9s %9s" % ("kind", "count", "errors", "rejected", "p50 ms", "p99 ms"))
    for name, values in stats.latencies.items():
        print("%-26s %8d %7d %8d %9.1f %9.1f" % (name, len(values), len(stats.errors.get(name, [])),
                                                 stats.rejected.get(name, 0), percentile(values, 0.5),
                                                 percentile(values, 0.99)))
    errors = [(name, e) for name, list_ in stats.errors.items() for e in list_]
    for name, error in errors[:20]:
        print("error: %s: %s" % (name, error))
    print("rss KiB: start %s, after warm-up (%d s) %s, end %s" % (
        shown(rss_start), WARMUP, shown(rss_warm) if rss_warm is not None else "n/a",
        shown(rss_end) if rss_end is not None else "n/a (host died)"))
    print("rss samples (s: KiB total/anon): " + ", ".join(
        "%d: %d/%d" % (int(t), m["VmRSS"], m["RssAnon"]) for t, m in stats.samples))
    failed = False
    if died:
        print("FAIL: the host died during the soak (exit %s); last log lines:" % host.proc.returncode)
        print("  " + "\n  ".join(host.lines[-20:]))
        failed = True
    if stop not in (0, None) and not died:
        print("FAIL: stopping the host: %s" % stop)
        failed = True
    if errors:
        print("FAIL: %d unexpected answers" % len(errors))
        failed = True
    middle = WARMUP + (SECONDS - WARMUP) / 2
    first = [m for t, m in stats.samples if WARMUP <= t < middle]
    second = [m for t, m in stats.samples if t >= middle]
    if first and second and not died:
        peak = {half: {key: max(m[key] for m in samples) for key in ("VmRSS", "RssAnon")}
                for half, samples in (("first", first), ("second", second))}
        anon = (peak["second"]["RssAnon"] / peak["first"]["RssAnon"] - 1) * 100
        total = (peak["second"]["VmRSS"] / peak["first"]["VmRSS"] - 1) * 100
        print("peak KiB after warm-up, first half / second half: anon %d / %d (%+.1f%%, limit +10%%), "
              "total %d / %d (%+.1f%%, file-backed included, not judged)"
              % (peak["first"]["RssAnon"], peak["second"]["RssAnon"], anon,
                 peak["first"]["VmRSS"], peak["second"]["VmRSS"], total))
        if anon > 10:
            print("FAIL: the host's own memory (RssAnon) peaked %.1f%% higher in the second half (limit 10%%)" % anon)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
