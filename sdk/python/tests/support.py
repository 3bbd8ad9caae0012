"""What the SDK's tests run against: the real collector (``node dist/cli.js serve``) started
as a subprocess on a free port with a temp store, scripts run as subprocesses, and — only
where a test must see the raw batches the SDK sends — a small recording HTTP server."""

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

SDK_DIR = Path(__file__).resolve().parents[1]
REPO = SDK_DIR.parents[1]
CLI = REPO / "dist" / "cli.js"
NODE_SDK = REPO / "sdk" / "node" / "dist" / "index.cjs"
TOKEN = "python-sdk-test-token"

_build_lock = threading.Lock()


def ensure_collector_built():
    """Builds ``dist/cli.js`` (and the Node SDK beside it) when missing, so the tests never
    run against something other than the collector in this tree. ``npm run test:python``
    builds first anyway, so what runs is never stale."""
    with _build_lock:
        if not CLI.exists() or not NODE_SDK.exists():
            subprocess.run(["node", "scripts/build.mjs"], cwd=str(REPO), check=True)


class Collector:
    """The real collector in a subprocess; read API helpers with the token."""

    def __init__(self):
        ensure_collector_built()
        self.data = tempfile.mkdtemp(prefix="spanscope-pysdk-")
        self.process = subprocess.Popen(
            ["node", str(CLI), "serve", "--port", "0", "--data", self.data, "--token", TOKEN],
            cwd=str(REPO),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline().strip()
        prefix = "Spanscope listening on "
        if not line.startswith(prefix):
            self.process.kill()
            raise RuntimeError("collector did not start: %r %s" % (line, self.process.stderr.read()))
        self.url = line[len(prefix) :].rstrip("/")
        # Keep reading its output so a full pipe never blocks it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def get(self, path):
        request = urllib.request.Request(self.url + path, headers={"Authorization": "Bearer " + TOKEN})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def traces(self, project):
        query = urllib.parse.urlencode({"project": project, "limit": 10000})
        return self.get("/api/traces?" + query)["traces"]

    def trace(self, trace_id):
        return self.get("/api/traces/" + urllib.parse.quote(trace_id))

    def wait(self, condition, timeout=15.0, what="the collector to show it"):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = condition()
            if last:
                return last
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s; last saw %r" % (what, last))

    def finished_traces(self, project, count, timeout=15.0):
        """The project's traces once ``count`` of them exist and none is running."""

        def ready():
            traces = self.traces(project)
            if len(traces) >= count and all(t["status"] != "running" for t in traces):
                return traces
            return None

        return self.wait(ready, timeout, "%d finished traces in %r" % (count, project))

    def details(self, project, count, timeout=15.0):
        """Every trace of the project in full (oldest first), once all are finished."""
        traces = self.finished_traces(project, count, timeout)
        out = [self.trace(t["id"]) for t in reversed(traces)]
        # Spans may still be running while their trace is done (rare): wait for them too.
        for i, detail in enumerate(out):
            if any(s["status"] == "running" for s in detail["spans"]):
                out[i] = self.wait(lambda d=detail: _all_done(self.trace(d["trace"]["id"])), timeout)
        return out

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdout, self.process.stderr):
            try:
                pipe.close()
            except (OSError, ValueError, RuntimeError):
                # A reader thread may still hold it (RuntimeError: reentrant call), or it is
                # closed already: either way the collector is gone.
                pass
        shutil.rmtree(self.data, ignore_errors=True)


def _all_done(detail):
    return detail if all(s["status"] != "running" for s in detail["spans"]) else None


def unique_project(label):
    return "%s-%s" % (label, uuid.uuid4().hex[:8])


# ---- trees --------------------------------------------------------------------------


def by_name(detail):
    """The trace's spans keyed by name (names are unique in the tests that use this)."""
    spans = {}
    for span in detail["spans"]:
        assert span["name"] not in spans, "duplicate span name %r" % span["name"]
        spans[span["name"]] = span
    return spans


def tree(detail):
    """The span tree as nested ``(name, [children])`` tuples, children in start order."""
    spans = sorted(detail["spans"], key=lambda s: s["start_time"])
    children = {}
    for span in spans:
        children.setdefault(span.get("parent_span_id"), []).append(span)

    def build(span):
        return (span["name"], [build(c) for c in children.get(span["id"], [])])

    return [build(s) for s in children.get(None, [])]


def scores(record):
    """``{name: (value, reason, source)}`` of a record's feedback scores."""
    return {s["name"]: (s["value"], s.get("reason"), s["source"]) for s in record.get("feedback_scores") or []}


# ---- scripts in subprocesses --------------------------------------------------------


class ScriptResult:
    def __init__(self, returncode, stdout, stderr, seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds


def script_env(url, **extra):
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("SPANSCOPE_", "OPIK_")):
            del env[key]
    env["PYTHONPATH"] = str(SDK_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    env["SPANSCOPE_URL"] = url
    env.update({k: str(v) for k, v in extra.items()})
    return env


_script_dirs = []


def write_script(code):
    """``code`` (dedented) as a script file in a fresh temp folder, removed when the tests end."""
    directory = tempfile.mkdtemp(prefix="spanscope-script-")
    if not _script_dirs:
        import atexit

        atexit.register(lambda: [shutil.rmtree(d, ignore_errors=True) for d in _script_dirs])
    _script_dirs.append(directory)
    path = os.path.join(directory, "script.py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(code).lstrip("\n"))
    return path


def run_script(code, url, timeout=30, **env):
    """Runs ``code`` in a fresh interpreter with the SDK importable; returns its result."""
    path = write_script(code)
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, path], env=script_env(url, **env), capture_output=True, text=True, timeout=timeout
    )
    return ScriptResult(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


def line_of(path, text):
    """1-based line of the first line of ``path`` that contains ``text``."""
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                return number
    raise AssertionError("%r not in %s" % (text, path))


def closed_port_url():
    """An address where nothing listens: a port taken from the OS and released again."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d" % port


# ---- a recording server for tests about the raw batches -----------------------------


class RecordingServer:
    """Loopback HTTP server that keeps every batch POSTed to /api/ingest. ``reply`` decides
    the answer per batch (default 200); ``hang`` makes it accept and never answer."""

    def __init__(self, reply=None, hang=False):
        self.batches = []
        self.reply = reply
        self.hang = hang
        self._release = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                if server.hang:
                    server._release.wait(30)
                    return
                server.batches.append(body)
                status, payload = (server.reply or (lambda b: (200, {"accepted": len(b["events"])})))(body)
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def events(self):
        return [e for b in self.batches for e in b["events"]]

    def close(self):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# ---- one collector for the whole run ------------------------------------------------

_shared = None
_shared_lock = threading.Lock()


def shared_collector():
    """One real collector for every test of the run (tests keep apart by project name);
    stopped when the test process exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit

            _shared = Collector()
            atexit.register(_shared.close)
        return _shared


class InProcessTest:
    """Mixin for tests that trace in this process: points the SDK at the shared collector
    and gives each test a project of its own."""

    def setUp(self):
        import spanscope

        self.collector = shared_collector()
        self.project = unique_project(self.id().rsplit(".", 1)[-1])
        spanscope.configure(url=self.collector.url, project_name=self.project, disabled=False)

    def flush(self):
        import spanscope
        from spanscope import _sender

        self.assertTrue(spanscope.flush(timeout=10), "flush did not deliver everything")
        # Every event the SDK sent so far passed the real collector's validation.
        self.assertEqual(_sender.sender.rejected_events, 0)
