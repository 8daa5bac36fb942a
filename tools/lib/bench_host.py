"""A real orrery host for the Python benchmarks: started from a build folder in a folder of
its own (security and the first-run setup off, access log off), its port read from its
log, one kept-alive HTTP connection, stopped with SIGTERM."""

import http.client
import json
import re
import signal
import subprocess
import threading
from pathlib import Path

LISTEN_RE = re.compile(r"http server listening on http://127\.0\.0\.1:(\d+)")
JSON = {"Content-Type": "application/json"}


class Host:
    def __init__(self, build, folder, extra_config="", plugin_paths=()):
        folder = Path(folder)
        folder.mkdir()
        plugins = "plugins:\n  paths: %s\n" % json.dumps([str(p) for p in plugin_paths]) if plugin_paths else ""
        (folder / "orrery.yml").write_text(
            "server:\n  port: 0\npath:\n  data: %s\nlogging:\n  level: warn\n  loggers:\n    host: info\n"
            "    http: info\n    http.access: warn\nsecurity:\n  enabled: false\ninteractive_setup:\n  enabled: false\n%s%s"
            % (json.dumps(str(folder / "data")), plugins, extra_config))
        self.proc = subprocess.Popen([str(Path(build) / "orrery"), "--config", str(folder / "orrery.yml")], cwd=folder,
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
        self.connection = self.connect()

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, method, path, body=None, headers=JSON, connection=None):
        """The answer's JSON; exits on an HTTP error."""
        status, data = self.raw(method, path, body, headers, connection)
        if status >= 300:
            raise SystemExit("%s %s answered %d: %s" % (method, path, status, data[:500]))
        return json.loads(data) if data else None

    def raw(self, method, path, body=None, headers=JSON, connection=None):
        connection = connection or self.connection
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    def rss_kb(self):
        for line in Path("/proc/%d/status" % self.proc.pid).read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise SystemExit("no VmRSS for the orrery process")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
