"""Remote search benchmark (run through tools/bench/remote_search).

Starts two real `orrery` hosts on loopback (security off, access log off): B loads
ORRERY_BENCH_DOCS generated log documents through its /es/_bulk API; A has
`data.elasticsearch.hosts: [B's /es]`. Then, interleaved so that load from other jobs hits
both, it runs the same search (a range filter, a terms aggregation and 10 sorted hits)
ORRERY_BENCH_SEARCHES times on B's /es/logs/_search directly (the baseline) and through
A's /internal/search/elasticsearch, each over one kept-alive client connection, and
prints median and p90 ms of each, the ratio of the medians and the added ms. The figure
is what the remote strategy's hop costs: A's route, the search service, the blocking
pool, libcurl to B and back, and wrapping the response.
"""

import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DOCS = int(os.environ.get("ORRERY_BENCH_DOCS", "20000"))
SEARCHES = int(os.environ.get("ORRERY_BENCH_SEARCHES", "300"))
LISTEN_RE = re.compile(r"http server listening on http://127\.0\.0\.1:(\d+)")
JSON = {"Content-Type": "application/json"}
SEARCH = {"size": 10, "sort": [{"latency_ms": "desc"}], "query": {"range": {"latency_ms": {"gte": 500}}},
          "aggs": {"services": {"terms": {"field": "service.keyword"}}}}


class Host:
    def __init__(self, build, folder, extra_config):
        folder.mkdir()
        (folder / "orrery.yml").write_text(
            "server:\n  port: 0\npath:\n  data: %s\nlogging:\n  level: warn\n  loggers:\n    host: info\n"
            "    http: info\n    http.access: warn\nsecurity:\n  enabled: false\ninteractive_setup:\n  enabled: false\n%s"
            % (json.dumps(str(folder / "data")), extra_config))
        self.proc = subprocess.Popen([str(build / "orrery"), "--config", str(folder / "orrery.yml")], cwd=folder,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines = []
        self.port = None
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip())
                match = LISTEN_RE.search(line)
                if match:
                    self.port = int(match.group(1))
                if "orrery ready in" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60) or self.proc.poll() is not None or self.port is None:
            raise SystemExit("orrery did not get ready:\n  " + "\n  ".join(self.lines[-15:]))
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method, path, body, headers=JSON):
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise SystemExit("%s %s answered %d: %s" % (method, path, response.status, data[:500]))
        return json.loads(data) if data else None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def load(host):
    services = ["api", "web", "db", "auth", "queue"]
    levels = ["info", "warn", "error"]
    for start in range(0, DOCS, 5000):
        lines = []
        for i in range(start, min(start + 5000, DOCS)):
            lines.append('{"index":{}}')
            lines.append(json.dumps({"timestamp": 1700000000000 + i * 1000, "level": levels[i % 3],
                                     "service": services[i % 5], "host": "h%d" % (i % 20),
                                     "latency_ms": (i * 37) % 2000, "message": "request %d done" % i}))
        result = host.request("POST", "/es/logs/_bulk", "\n".join(lines) + "\n", {"Content-Type": "application/x-ndjson"})
        if result["errors"]:
            raise SystemExit("bulk load reported errors")


def timed(call):
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def main():
    build = Path(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="orrery-bench-remote-") as tmp:
        b = Host(build, Path(tmp) / "b", "")
        a = None
        try:
            load(b)
            a = Host(build, Path(tmp) / "a", "data:\n  elasticsearch:\n    hosts: [\"http://127.0.0.1:%d/es\"]\n" % b.port)
            body = json.dumps(SEARCH)
            wrapped = json.dumps({"params": {"index": "logs", "body": SEARCH}, "legacyHitsTotal": False})
            direct, remote = [], []
            expected = b.request("POST", "/es/logs/_search", body)
            got = a.request("POST", "/internal/search/elasticsearch", wrapped)["rawResponse"]
            if got["hits"] != expected["hits"] or got["aggregations"] != expected["aggregations"]:
                raise SystemExit("the remote search did not return B's hits and aggregations")
            for _ in range(SEARCHES):
                direct.append(timed(lambda: b.request("POST", "/es/logs/_search", body))[0])
                remote.append(timed(lambda: a.request("POST", "/internal/search/elasticsearch", wrapped))[0])
        finally:
            if a:
                a.stop()
            b.stop()

    def p90(values):
        return sorted(values)[int(len(values) * 0.9)]

    d, r = statistics.median(direct), statistics.median(remote)
    print("remote search: %d docs, %d searches each, interleaved" % (DOCS, SEARCHES))
    print("  %-36s median %7.2f ms  p90 %7.2f ms" % ("B /es/logs/_search (baseline)", d, p90(direct)))
    print("  %-36s median %7.2f ms  p90 %7.2f ms" % ("A /internal/search/elasticsearch", r, p90(remote)))
    print("  ratio remote/direct %.2f, added %.2f ms per search" % (r / d, r - d))


if __name__ == "__main__":
    main()
