"""A real Prometheus server for the reference tests, and the tools around it.

Shared by test_promql_scoping.py, test_registry_scrape.py and
test_registry_native_scrape.py:

  free_port()             a free TCP port on 127.0.0.1 (free when asked: the
                          server may still lose it to another process, which
                          Prometheus retries)
  find_tool(env, name)    the path of a tool: $env, else `name` on PATH,
                          else in /usr/bin; None when none is executable
  terminate(proc)         stops a subprocess (SIGTERM, then SIGKILL)
  Prometheus(...)         the server on a free 127.0.0.1 port with the given
                          config, ready (/-/ready) or the test fails; its
                          HTTP API, its log, polling, and close() (also a
                          context manager)

No timing is asserted: timeouts are generous deadlines after which the test
fails with the server's log.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

START_ATTEMPTS = 3  # another process may take the free port before Prometheus binds it


def free_port():
    """A TCP port on 127.0.0.1 that was free when asked."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def terminate(proc, timeout=20):
    """Terminates a subprocess, killed after timeout seconds; its return code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def find_tool(env_var, name, dirs=("/usr/bin",)):
    """The executable $env_var names (a path or a name on PATH) when it is set,
    else `name` on PATH, else `name` in one of dirs; None when missing."""
    env = os.environ.get(env_var)
    if env:
        return shutil.which(env)
    path = shutil.which(name)
    if path:
        return path
    for d in dirs:
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


class Prometheus:
    """The Prometheus server on 127.0.0.1 with config_yaml, queried over HTTP.

    work_dir holds prometheus.yml and prometheus.log; the TSDB is data_dir,
    or a fresh work_dir/dataN per start attempt. A start that fails because
    the port was taken ("address already in use") is retried on another
    port; any other failure, or no readiness within ready_timeout seconds,
    fails the test with the log."""

    def __init__(self, binary, config_yaml, work_dir, extra_args=(), data_dir=None, ready_timeout=60):
        self.binary = binary
        self.work_dir = str(work_dir)
        self.config_path = os.path.join(self.work_dir, "prometheus.yml")
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(config_yaml)
        self.log_path = os.path.join(self.work_dir, "prometheus.log")
        self.proc = None
        self.log = None
        for attempt in range(START_ATTEMPTS):
            data = str(data_dir) if data_dir is not None else os.path.join(self.work_dir, f"data{attempt}")
            if self._start(data, list(extra_args), ready_timeout):
                return
            log = self.log_text()
            if "address already in use" not in log or attempt == START_ATTEMPTS - 1:
                pytest.fail(f"prometheus did not start ({self.proc.returncode}):\n{log[-3000:]}")

    def _start(self, data_dir, extra_args, ready_timeout):
        """Starts the server; True once ready, False if it exited."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [self.binary, f"--config.file={self.config_path}", f"--storage.tsdb.path={data_dir}",
             f"--web.listen-address=127.0.0.1:{self.port}", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                self.log.close()
                return False
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                self.close()
                pytest.fail(f"prometheus did not become ready in {ready_timeout} s:\n"
                            + self.log_text()[-3000:])
            time.sleep(0.1)

    def log_text(self):
        """Everything the server has logged so far."""
        if self.log is not None and not self.log.closed:
            self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    # ---- The HTTP API -------------------------------------------------------

    @staticmethod
    def _json(request):
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:  # API errors come with a JSON body
            return json.load(e)

    def get(self, path, params=None):
        """GET path?params; the decoded JSON answer (success or error)."""
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        return self._json(url)

    def data(self, path, params=None):
        """GET path?params, which must succeed; its `data`."""
        body = self.get(path, params)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, q, at=None):
        """An instant query (POST /api/v1/query) at time `at` (default: now);
        the decoded JSON answer (success or error)."""
        params = {"query": q, "timeout": "20s"}
        if at is not None:
            params["time"] = str(at)
        req = urllib.request.Request(self.url + "/api/v1/query", method="POST",
                                     data=urllib.parse.urlencode(params).encode())
        return self._json(req)

    def result(self, q, at=None):
        """An instant query that must succeed; its data.result."""
        body = Prometheus.query(self, q, at)  # not a subclass's query()
        assert body["status"] == "success", (q, body)
        return body["data"]["result"]

    # ---- Polling and shutdown ------------------------------------------------

    def wait_for(self, what, fn, deadline=60):
        """Polls fn() until it returns something truthy, and returns that;
        after `deadline` seconds fails the test with the scrape targets and
        the log."""
        end = time.monotonic() + deadline
        while True:
            got = fn()
            if got:
                return got
            if time.monotonic() > end:
                try:
                    targets = json.dumps(self.data("/api/v1/targets")["activeTargets"], indent=1)[:3000]
                except Exception as e:  # the failure to report is the timeout
                    targets = f"(unavailable: {e})"
                pytest.fail(f"timed out waiting for {what}; targets: {targets}\n"
                            f"log: {self.log_text()[-3000:]}")
            time.sleep(0.25)

    def close(self):
        """Terminates the server (killed after 20 s); idempotent."""
        if self.proc is not None:
            terminate(self.proc)
        if self.log is not None:
            self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
