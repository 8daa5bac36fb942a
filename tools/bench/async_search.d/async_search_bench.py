"""Async search benchmark (run through tools/bench/async_search BUILD_DIR).

One real host (security off, access log off) with the `held` fixture strategy in a plugin
folder of its own. Figures, each beside a baseline from the same run:
  (2 runs first, on the fresh host, so that memory freed by the bulk load does not hide
  what the held searches take.)
  1. tools/bench/search's data (the same generator, ORRERY_BENCH_DOCS documents bulk-loaded
     through /es/_bulk) and its three queries, run ORRERY_BENCH_RUNS times each,
     interleaved: POST /es/logs/_async_search?wait_for_completion_timeout=60s vs POST
     /es/logs/_search. Target: ratio of medians <= 1.05 (a search that finishes within
     the wait stores nothing).
  2. ORRERY_BENCH_HELD held searches submitted at once (each stored, running until
     released): host RSS growth / count (target < 64 KB per search plus its partial
     response, which is empty here), then 2,000 GET /es/_async_search/{id} round trips
     over one connection while they run: p50 and p99 (target p99 < 5 ms), beside GET /es/
     (a route that only answers) on the same connection.
  3. A stored final response of about 1 MB (1,000 documents of 1 KB, kept): GET
     /es/_async_search/{id} vs the same POST /es/big/_search, medians.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib"))
from bench_host import Host, bench_config  # noqa: E402

DOCS = int(os.environ.get("ORRERY_BENCH_DOCS", "1000000"))
RUNS = int(os.environ.get("ORRERY_BENCH_RUNS", "15"))
HELD = int(os.environ.get("ORRERY_BENCH_HELD", "1000"))
NDJSON = {"Content-Type": "application/x-ndjson"}

# tools/bench/search.d/search_bench.cpp's generator, value for value.
LEVELS = ["info"] * 7 + ["warn", "warn", "error"]
SERVICES = ["api", "web", "auth", "db", "cache", "search", "billing", "mail", "queue", "cdn"]
MESSAGES = ["request completed", "connection timeout to upstream", "user logged in", "cache miss for key",
            "slow query detected", "payment processed successfully", "retrying request after error",
            "disk usage above threshold", "session expired", "upstream returned bad gateway"]
QUERIES = {
    "match": {"size": 10, "query": {"match": {"message": "timeout"}}},
    "range_terms": {"size": 0, "query": {"range": {"latency_ms": {"gte": 1500}}},
                    "aggs": {"by_service": {"terms": {"field": "service"}}}},
    "date_histogram_avg": {"size": 0, "aggs": {"per_hour": {"date_histogram": {"field": "timestamp", "fixed_interval": "1h"},
                                                            "aggs": {"avg_latency": {"avg": {"field": "latency_ms"}}}}}},
}
MASK = (1 << 64) - 1


def make_doc(i):
    x = (i * 0x9E3779B97F4A7C15 + 12345) & MASK
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 32
    ts = 1704067200000 + i * 3000
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts // 1000)) + ".%03dZ" % (ts % 1000)
    return ('{"timestamp":"%s","level":"%s","service":"%s","host":"host-%d","latency_ms":%d,"message":"%s"}'
            % (stamp, LEVELS[x % 10], SERVICES[(x >> 8) % 10], (x >> 16) % 50, (x >> 24) % 2000, MESSAGES[(x >> 40) % 10]))


def load(host):
    host.request("PUT", "/es/logs", json.dumps({"mappings": {"properties": {
        "timestamp": {"type": "date"}, "level": {"type": "keyword"}, "service": {"type": "keyword"},
        "host": {"type": "keyword"}, "latency_ms": {"type": "long"}, "message": {"type": "text"}}}}))
    started = time.perf_counter()
    for start in range(0, DOCS, 20000):
        lines = []
        for i in range(start, min(start + 20000, DOCS)):
            lines.append('{"index":{}}')
            lines.append(make_doc(i))
        if host.request("POST", "/es/logs/_bulk", "\n".join(lines) + "\n", NDJSON)["errors"]:
            raise SystemExit("bulk load reported errors")
    host.request("POST", "/es/logs/_refresh")
    return time.perf_counter() - started


def timed(call):
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def queries(host):
    print("1. tools/bench/search's queries on %d documents, %d runs each, interleaved" % (DOCS, RUNS))
    for name, query in QUERIES.items():
        body = json.dumps(query)
        plain, wrapped = [], []
        expected = host.request("POST", "/es/logs/_search", body)
        first = host.request("POST", "/es/logs/_async_search?wait_for_completion_timeout=60s", body)
        if first.get("is_running") or "id" in first or first["response"]["hits"]["total"] != expected["hits"]["total"]:
            raise SystemExit("%s: the async search did not finish within the wait with _search's answer" % name)
        for _ in range(RUNS):
            plain.append(timed(lambda: host.request("POST", "/es/logs/_search", body))[0])
            wrapped.append(timed(lambda: host.request("POST", "/es/logs/_async_search?wait_for_completion_timeout=60s",
                                                      body))[0])
        p, a = statistics.median(plain), statistics.median(wrapped)
        print("  %-20s _search %8.2f ms   _async_search %8.2f ms   ratio %.3f (target <= 1.05)" % (name, p, a, a / p))


def held(host):
    print("2. %d async searches held running at once" % HELD)
    host.request("GET", "/es/")
    before = host.rss_kb()
    ids = []
    for i in range(HELD):
        answer = host.request("POST", "/es/held-%d/_async_search?strategy=held&wait_for_completion_timeout=0" % i,
                              json.dumps({"shards": 4}))
        ids.append(answer["id"])
    after = host.rss_kb()
    print("  RSS %d KB before, %d KB after: %.1f KB per running search (target < 64 KB)"
          % (before, after, (after - before) / HELD))
    gets, baseline = [], []
    for n in range(2000):
        gets.append(timed(lambda: host.request("GET", "/es/_async_search/" + ids[n % len(ids)]))[0])
        baseline.append(timed(lambda: host.request("GET", "/es/"))[0])
    print("  GET /es/_async_search/{id}: p50 %.3f ms  p99 %.3f ms (target p99 < 5 ms)"
          % (statistics.median(gets), percentile(gets, 0.99)))
    print("  GET /es/ (baseline):        p50 %.3f ms  p99 %.3f ms" % (statistics.median(baseline), percentile(baseline, 0.99)))
    for i in range(HELD):
        host.request("DELETE", "/es/_async_search/" + ids[i])


def stored_megabyte(host):
    host.request("PUT", "/es/big", json.dumps({"settings": {"number_of_shards": 2}}))
    lines = []
    for i in range(1000):
        lines.append('{"index":{}}')
        lines.append(json.dumps({"n": i, "text": ("lorem ipsum %d " % i) * 64}))
    host.request("POST", "/es/big/_bulk?refresh=true", "\n".join(lines) + "\n", NDJSON)
    body = json.dumps({"size": 1000, "sort": [{"n": "asc"}]})
    kept = host.request("POST", "/es/big/_async_search?wait_for_completion_timeout=60s&keep_on_completion=true", body)
    size = len(json.dumps(kept["response"]))
    plain, stored = [], []
    for _ in range(RUNS):
        plain.append(timed(lambda: host.raw("POST", "/es/big/_search", body))[0])
        stored.append(timed(lambda: host.raw("GET", "/es/_async_search/" + kept["id"]))[0])
    p, s = statistics.median(plain), statistics.median(stored)
    print("3. a stored final response of %.2f MB" % (size / 1e6))
    print("  _search %.2f ms   GET stored %.2f ms   ratio %.3f" % (p, s, s / p))


def main():
    build = Path(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="orrery-bench-async-") as tmp:
        fixtures = Path(tmp) / "fixtures"
        fixtures.mkdir()
        manifest = json.loads((build / "tests" / "fixtures" / "held_strategy.json").read_text())
        manifest["library"] = os.path.relpath(build / "tests" / "fixtures" / manifest["library"], fixtures)
        (fixtures / "held_strategy.json").write_text(json.dumps(manifest))
        host = Host(build, Path(tmp) / "host", bench_config("async_search:\n  maxRunningPerUser: %d\n" % (HELD + 10), [fixtures]))
        try:
            # First, on the fresh host: after the bulk load the allocator has freed memory
            # to hand out again, and RSS growth would hide what the searches take.
            held(host)
            seconds = load(host)
            print("loaded %d documents through /es/_bulk in %.1f s" % (DOCS, seconds))
            queries(host)
            stored_megabyte(host)
        finally:
            host.stop()


if __name__ == "__main__":
    main()
