"""Process-test harness: start the real binaries, read their output with
deadlines, always clean up. Used by test/process/*_test.py.

Runner contract: each test module defines functions named test_*; a test
passes by returning, fails by raising, and is skipped by raising Skip(reason).
The runner prints one line per test and closes with "N passed, N failed".
"""
import importlib.util
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback


class Skip(Exception):
    pass


class Proc:
    """A child process whose stdout and stderr lines are collected by threads."""

    def __init__(self, argv, env=None, cwd=None, stdin=subprocess.DEVNULL):
        self.argv = argv
        self.out_lines, self.err_lines = [], []
        self._q = queue.Queue()
        self.p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  start_new_session=True)
        self._threads = [threading.Thread(target=self._pump, args=(self.p.stdout, "out"), daemon=True),
                         threading.Thread(target=self._pump, args=(self.p.stderr, "err"), daemon=True)]
        for t in self._threads:
            t.start()

    def _pump(self, f, which):
        for raw in iter(f.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            (self.out_lines if which == "out" else self.err_lines).append(line)
            self._q.put((which, line))
        self._q.put((which, None))

    def wait_line(self, pred, timeout=10.0, which=None):
        """Returns the first line (already seen or new) matching pred."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            pool = ([("out", l) for l in self.out_lines] + [("err", l) for l in self.err_lines])
            for w, l in pool:
                if (which is None or w == which) and pred(l):
                    return l
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timeout after {timeout}s waiting for a line from {self.argv[0]}; "
                                     f"stdout={self.out_lines[-5:]} stderr={self.err_lines[-5:]}")
            try:
                self._q.get(timeout=min(left, 0.05))
            except queue.Empty:
                pass
            seen += 1
            if self.p.poll() is not None and self._q.empty():
                # Process ended: one last scan of everything it printed.
                time.sleep(0.05)
                for w, l in ([("out", l) for l in self.out_lines] + [("err", l) for l in self.err_lines]):
                    if (which is None or w == which) and pred(l):
                        return l
                raise AssertionError(f"{self.argv[0]} exited with {self.p.returncode} before the line came; "
                                     f"stdout={self.out_lines[-5:]} stderr={self.err_lines[-10:]}")

    def wait_json(self, msg, timeout=10.0):
        def is_msg(l):
            try:
                return json.loads(l).get("msg") == msg
            except Exception:
                return False
        return json.loads(self.wait_line(is_msg, timeout, which="err"))

    def signal(self, sig):
        if self.p.poll() is None:
            os.killpg(self.p.pid, sig)

    def wait_exit(self, timeout):
        return self.p.wait(timeout=timeout)

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.p.wait(timeout=5)
        for t in self._threads:
            t.join(timeout=1)


class Env:
    """A temporary HOME with the environment every test daemon needs."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="aac-proc-")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home, mode=0o755)
        self.procs = []

    def env(self, **extra):
        e = {k: v for k, v in os.environ.items() if not k.startswith("AGENTANYCAST_")}
        e["HOME"] = self.home
        e["AGENTANYCAST_ENABLE_MDNS"] = "false"  # multicast must never leave this machine
        e.update({k: str(v) for k, v in extra.items()})
        return e

    def start(self, argv, **envextra):
        p = Proc(argv, env=self.env(**envextra), cwd=self.dir)
        self.procs.append(p)
        return p

    def run(self, argv, timeout=10, **envextra):
        return subprocess.run(argv, env=self.env(**envextra), cwd=self.dir, capture_output=True,
                              timeout=timeout, text=True)

    def close(self):
        for p in self.procs:
            p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name):
    d = os.environ.get("AAC_BUILD_DIR", "build")
    path = os.path.abspath(os.path.join(d, name))
    if not os.access(path, os.X_OK):
        raise Skip(f"{path} not built")
    return path


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name in sorted(n for n in dir(mod) if n.startswith("test_")):
            t0 = time.monotonic()
            try:
                getattr(mod, name)()
                passed += 1
                print(f"PASS {mod.__name__}.{name} ({time.monotonic() - t0:.2f}s)", flush=True)
            except Skip as s:
                skipped += 1
                print(f"SKIP {mod.__name__}.{name}: skipped: {s}", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {mod.__name__}.{name}", flush=True)
                traceback.print_exc(file=sys.stdout)
    print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
