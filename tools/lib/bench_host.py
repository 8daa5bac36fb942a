"""A real orrery host for the Python benchmarks and the soak: started from a build folder
in a folder of its own with a config (bench_config: security and the first-run setup off,
access log off), its port read from its log, one kept-alive HTTP connection, stopped with
SIGTERM."""

import http.client
import json
import re
import signal
import subprocess
import threading
from pathlib import Path

LISTEN_RE = re.compile(r"http server listening on http://127\.0\.0\.1:(\d+)")
JSON = {"Content-Type": "application/json"}


def bench_config(extra="", plugin_paths=()):
    """Security and the first-run setup off, the access log off, `extra` YAML after."""
    plugins = "plugins:\n  paths: %s\n" % json.dumps([str(p) for p in plugin_paths]) if plugin_paths else ""
    return ("logging:\n  level: warn\n  loggers:\n    host: info\n    http: info\n    http.access: warn\n"
            "security:\n  enabled: false\ninteractive_setup:\n  enabled: false\n%s%s" % (plugins, extra))


class Host:
    def __init__(self, build, folder, config):
        """`config`: YAML after the port (0) and path.data (folder/data), which are set here."""
        folder = Path(folder)
        folder.mkdir(exist_ok=True)
        (folder / "orrery.yml").write_text("server:\n  port: 0\npath:\n  data: %s\n%s"
                                           % (json.dumps(str(folder / "data")), config))
        self.proc = subprocess.Popen([str(Path(build) / "orrery"), "--config", str(folder / "orrery.yml")], cwd=folder,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines = []
        self.port = None
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip())
                del self.lines[:-200]
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

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """The exit code, or a sentence when the host did not stop within 60 s of SIGTERM."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return "did not stop within 60 s of SIGTERM"
        return self.proc.returncode
