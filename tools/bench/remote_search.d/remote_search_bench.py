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

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))
from bench_host import Host, bench_config  # noqa: E402  (tools/lib, shared with the other benchmarks)

DOCS = int(os.environ.get("ORRERY_BENCH_DOCS", "20000"))
SEARCHES = int(os.environ.get("ORRERY_BENCH_SEARCHES", "300"))
SEARCH = {"size": 10, "sort": [{"latency_ms": "desc"}], "query": {"range": {"latency_ms": {"gte": 500}}},
          "aggs": {"services": {"terms": {"field": "service.keyword"}}}}


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
        b = Host(build, Path(tmp) / "b", bench_config())
        a = None
        try:
            load(b)
            a = Host(build, Path(tmp) / "a",
                     bench_config("data:\n  elasticsearch:\n    hosts: [\"http://127.0.0.1:%d/es\"]\n" % b.port))
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
