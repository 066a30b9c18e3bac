"""Issue 6: a real Prometheus (Debian's /usr/bin/prometheus, 2.42) scrapes
the [metrics] listeners of two daemons that exchanged a task.

Two daemons on loopback (A the client, B the agent, driven through the gRPC
NodeService with python3-grpcio as in a2a_faults_test.py), each with its
metrics listener on a free loopback port. Prometheus runs with a temp config
(scrape_interval 1s, both targets), a temp TSDB and its web listener on
loopback. After A sent tasks that B completed (and one that B failed), the
test asks Prometheus' HTTP API (/api/v1/query) for the series a dashboard
would use and checks their labels and values: up == 1 for both targets, the
task counters by direction and status on the right instance, the connection
counters and gauge, the task duration histogram and a rate() over the
counters. Prints what Prometheus answered.

If prometheus is not installed the test says "skipped: ..." (make test-deps
installs it).
"""
import json
import os
import shutil
import tempfile
import time
import urllib.parse
import urllib.request

from a2a_faults_test import Daemon, connect, wait_status
from grpc_python_test import Stream, stubs, text
from harness import Proc, Skip, free_port

PROMETHEUS = "/usr/bin/prometheus"
TASKS_OK, TASKS_FAILED, TASKS_MORE = 3, 1, 2


def prometheus_binary():
    path = PROMETHEUS if os.access(PROMETHEUS, os.X_OK) else shutil.which("prometheus")
    if not path:
        raise Skip("prometheus not installed (make test-deps installs Debian's prometheus)")
    return path


def http_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode())


class Prometheus:
    def __init__(self, targets):
        self.dir = tempfile.mkdtemp(prefix="aac-prom-")
        self.port = free_port()
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: agentanycast\n    static_configs:\n"
                    f"      - targets: [{', '.join(json.dumps(t) for t in targets)}]\n")
        self.proc = Proc([prometheus_binary(), f"--config.file={cfg}",
                          f"--storage.tsdb.path={os.path.join(self.dir, 'tsdb')}",
                          f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                         env={"PATH": "/usr/bin:/bin", "HOME": self.dir}, cwd=self.dir)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            assert self.proc.p.poll() is None, f"prometheus exited {self.proc.p.returncode}: {self.proc.err_lines[-10:]}"
            assert time.monotonic() < deadline, f"prometheus never ready: {self.proc.err_lines[-10:]}"
            time.sleep(0.1)

    def query(self, q):
        """Instant vector as {frozenset(labels without __name__): value}."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": q})
        r = http_json(url)
        assert r["status"] == "success", r
        assert r["data"]["resultType"] == "vector", r
        return {frozenset((k, v) for k, v in s["metric"].items() if k != "__name__"): float(s["value"][1])
                for s in r["data"]["result"]}

    def wait(self, q, pred, what, timeout=20):
        """Polls q until pred(result) holds (a later scrape may be needed)."""
        deadline = time.monotonic() + timeout
        while True:
            res = self.query(q)
            if pred(res):
                return res
            assert time.monotonic() < deadline, f"{what}: {q} -> {show(res)}"
            time.sleep(0.25)

    def close(self):
        self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def show(res):
    return "; ".join("{" + ",".join(f'{k}="{v}"' for k, v in sorted(lbl)) + f"}} {v:g}" for lbl, v in
                     sorted(res.items(), key=lambda kv: sorted(kv[0])))


def value(res, **labels):
    """The one value whose labels include `labels`; None if none."""
    want = set(labels.items())
    hits = [v for lbl, v in res.items() if want <= set(lbl)]
    assert len(hits) <= 1, (labels, show(res))
    return hits[0] if hits else None


def test_prometheus_scrapes_two_daemons_after_a_task_exchange():
    prometheus_binary()  # skip before starting anything
    g = stubs()
    ns, m = g["ns"], g["m"]
    pa, pb = free_port(), free_port()
    a = Daemon("A", f'[metrics]\nenabled = true\nlisten = "127.0.0.1:{pa}"\n')
    b = Daemon("B", f'[metrics]\nenabled = true\nlisten = "127.0.0.1:{pb}"\n')
    prom = None
    incoming = None
    try:
        a.start()
        b.start()
        ia, ib = f"127.0.0.1:{pa}", f"127.0.0.1:{pb}"
        prom = Prometheus([ia, ib])
        connect(a, b)
        incoming = Stream(b.stub.SubscribeIncomingTasks(ns.SubscribeIncomingTasksRequest()))

        def exchange(n_ok, n_failed):
            for i in range(n_ok + n_failed):
                sent = a.stub.SendTask(ns.SendTaskRequest(peer_id=b.peer_id, message=text(f"task {i}")),
                                       timeout=10).task
                ev = incoming.get()
                assert ev.task.task_id == sent.task_id, ev
                b.stub.UpdateTaskStatus(ns.UpdateTaskStatusRequest(task_id=sent.task_id,
                                                                   status=m.TASK_STATUS_WORKING), timeout=5)
                if i < n_ok:
                    b.stub.CompleteTask(ns.CompleteTaskRequest(task_id=sent.task_id), timeout=5)
                    wait_status(a, sent.task_id, m.TASK_STATUS_COMPLETED)
                else:
                    b.stub.FailTask(ns.FailTaskRequest(task_id=sent.task_id, error_message="on purpose"), timeout=5)
                    wait_status(a, sent.task_id, m.TASK_STATUS_FAILED)

        t0 = time.monotonic()
        exchange(TASKS_OK, TASKS_FAILED)
        tasks_s = time.monotonic() - t0

        t1 = time.monotonic()
        up = prom.wait('up{job="agentanycast"}', lambda r: len(r) == 2 and all(v == 1 for v in r.values()),
                       "both targets up")
        assert value(up, instance=ia) == 1 and value(up, instance=ib) == 1, show(up)

        def tasks_ready(r):
            return (value(r, instance=ia, direction="sent", status="completed") == TASKS_OK
                    and value(r, instance=ib, direction="received", status="completed") == TASKS_OK
                    and value(r, instance=ia, direction="sent", status="failed") == TASKS_FAILED
                    and value(r, instance=ib, direction="received", status="failed") == TASKS_FAILED)
        tasks = prom.wait("agentanycast_tasks_total", tasks_ready, "task counters by direction/status")
        scrape_s = time.monotonic() - t1
        for lbl in tasks:
            d = dict(lbl)
            assert d["job"] == "agentanycast" and d["instance"] in (ia, ib), d
            # A only sends, B only receives.
            assert d["direction"] == ("sent" if d["instance"] == ia else "received"), d
        assert all(v > 0 for v in tasks.values()), show(tasks)

        peers = prom.query("agentanycast_connected_peers")
        assert value(peers, instance=ia) == 1 and value(peers, instance=ib) == 1, show(peers)
        conns = prom.query("agentanycast_connections_total")
        assert value(conns, instance=ia, direction="outbound") >= 1, show(conns)
        assert value(conns, instance=ib, direction="inbound") >= 1, show(conns)
        dur = prom.query("agentanycast_task_duration_seconds_count")
        assert value(dur, instance=ia, direction="sent") == TASKS_OK + TASKS_FAILED, show(dur)
        assert value(dur, instance=ib, direction="received") == TASKS_OK + TASKS_FAILED, show(dur)
        p50 = prom.query("histogram_quantile(0.5, sum by (le, instance) "
                         "(agentanycast_task_duration_seconds_bucket{direction=\"sent\"}))")
        assert value(p50, instance=ia) is not None and value(p50, instance=ia) > 0, show(p50)
        msgs = prom.query("agentanycast_messages_total")
        assert msgs and all(v > 0 for v in msgs.values()), show(msgs)
        # A counter Prometheus sees growing: a second batch after it has seen
        # the first, then increase() over the last minute is > 0 on both.
        exchange(TASKS_MORE, 0)
        total_ok = TASKS_OK + TASKS_MORE
        prom.wait('agentanycast_tasks_total{status="completed"}',
                  lambda r: value(r, instance=ia) == total_ok and value(r, instance=ib) == total_ok,
                  "second batch scraped")
        rate = prom.wait('sum by (instance) (increase(agentanycast_tasks_total{status="completed"}[1m]))',
                         lambda r: (value(r, instance=ia) or 0) > 0 and (value(r, instance=ib) or 0) > 0,
                         "increase() of the completed counters")
        # Prometheus' own view of each scrape: every scrape took the families (> 20 samples).
        samples = prom.query('scrape_samples_scraped{job="agentanycast"}')
        assert len(samples) == 2 and all(v > 20 for v in samples.values()), show(samples)

        print(f"  {TASKS_OK + TASKS_FAILED} tasks A->B in {tasks_s:.2f}s; Prometheus had them {scrape_s:.2f}s later; "
              f"then {TASKS_MORE} more")
        for q, res in (("up", up), ("agentanycast_tasks_total", tasks), ("agentanycast_connected_peers", peers),
                       ("agentanycast_connections_total", conns), ("agentanycast_task_duration_seconds_count", dur),
                       ("task duration p50 (s)", p50), ("increase(tasks_total{completed}[1m])", rate),
                       ("scrape_samples_scraped", samples)):
            print(f"  {q}: {show(res)}")
    finally:
        if incoming:
            incoming.cancel()
        if prom:
            prom.close()
        a.close()
        b.close()
