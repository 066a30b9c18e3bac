"""Composes test/bench/RESULTS.md from the JSON files run.sh wrote.
Usage: report.py <dir> <stripped daemon size in bytes> [<stripped size of the size-optimized build, 0: none>]"""
import datetime
import json
import os
import platform
import subprocess
import sys

d, size_bytes = sys.argv[1], int(sys.argv[2])
small_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 0


def load(name):
    try:
        with open(os.path.join(d, name)) as f:
            return json.loads(f.read() or "{}")
    except (OSError, ValueError):
        return {}


def jsonl(name):
    try:
        with open(os.path.join(d, name)) as f:
            return [json.loads(l) for l in f if l.strip()]
    except OSError:
        return []


def cpu_model():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def mem_gib():
    for l in open("/proc/meminfo"):
        if l.startswith("MemTotal:"):
            return int(l.split()[1]) / 1048576
    return 0


start = load("start.json")
oo, jj, oj, jo = load("ours_ours.json"), load("js_js.json"), load("ours_js.json"), load("js_ours.json")
aead = jsonl("aead.jsonl")
iperf = load("iperf.json")
yamux = jsonl("yamux.jsonl")

best_aead = max([min(a.get("encrypt_mib_s", 0), a.get("decrypt_mib_s", 0))
                 for a in aead if a.get("len") == 65519] or [0])
tcp_mib = 0
try:
    tcp_mib = iperf["end"]["sum_received"]["bits_per_second"] / 8 / 1048576
except (KeyError, TypeError):
    pass
raw_limit = min(x for x in (best_aead, tcp_mib) if x > 0) if (best_aead or tcp_mib) else 0


def g(obj, *path):
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            return None
        obj = obj[p]
    return obj


def f1(x, unit=""):
    return "—" if x is None else f"{x:,.1f}{unit}"


def f3(x, unit=""):
    return "—" if x is None else f"{x:,.3f}{unit}"


def ratio(a, b, higher_better=True):
    if a is None or b is None or a == 0 or b == 0:
        return "—"
    return f"{(a / b if higher_better else b / a):.1f}×"


def met(ok):
    return "—" if ok is None else ("yes" if ok else "**no**")


lines = []
w = lines.append
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
w("# Benchmark results")
w("")
w(f"Written by `make bench` (test/bench/run.sh) on {now}.")
w("")
w(f"Machine: {cpu_model()}, {os.cpu_count()} CPUs, {mem_gib():.0f} GiB RAM, Linux {platform.release()}. "
  f"Load average (1 min) at the start of our runs: {f1(oo.get('loadavg_1m_at_start'))}, of the js runs: "
  f"{f1(jj.get('loadavg_1m_at_start'))}. The machine is shared: compare ratios measured in this run, "
  "not absolute figures across runs.")
w("")
w("## Binary and start-up (issue 3)")
w("")
w("| figure | ours | goal | met |")
w("|---|---|---|---|")
w(f"| stripped `agentanycastd` size | {size_bytes / 1e6:.2f} MB | ≤ 1.5 MB | {met(size_bytes <= 1.5e6)} |")
rss = start.get("idle_rss_kib")
w(f"| idle RSS 5 s after start | {f1(rss / 1024 if rss else None, ' MiB')} | ≤ 4 MB (issue 3), ≤ 6 MB (issue 4) | "
  f"{met(rss <= 4 * 1000 * 1000 / 1024 if rss else None)} / {met(rss <= 6 * 1000 * 1000 / 1024 if rss else None)} |")
w(f"| start to `started` log line, p50 of 20 (min) | {f1(start.get('start_ms_p50'), ' ms')} "
  f"({f1(start.get('start_ms_min'), ' ms')}) | — | — |")
if small_bytes:
    ss = load("start_small.json")
    srss = ss.get("idle_rss_kib")
    w(f"| stripped `agentanycastd`, size-optimized build (`make small`: -Os, LTO) | {small_bytes / 1e6:.2f} MB | "
      f"≤ 1.5 MB | {met(small_bytes <= 1.5e6)} |")
    w(f"| idle RSS 5 s after start, size-optimized build | {f1(srss / 1024 if srss else None, ' MiB')} | "
      f"≤ 4 MB / ≤ 6 MB | {met(srss <= 4 * 1000 * 1000 / 1024 if srss else None)} / "
      f"{met(srss <= 6 * 1000 * 1000 / 1024 if srss else None)} |")
w("")
w("## Raw limits of this machine (same run)")
w("")
w("| limit | MiB/s |")
w("|---|---|")
for a in aead:
    if a.get("len") == 65519:
        w(f"| ChaCha20-Poly1305, one core, 65519-byte messages, {a['backend']} (enc / dec) | "
          f"{a['encrypt_mib_s']:,} / {a['decrypt_mib_s']:,} |")
w(f"| one loopback TCP stream (iperf3, 5 s) | {f1(tcp_mib)} |")
for y in yamux:
    if y.get("seconds"):
        w(f"| yamux core alone, two sessions in memory, {y.get('streams')} stream(s) | "
          f"{f1(y['bytes'] / 1048576 / y['seconds'])} |")
w(f"| **lower of fastest AEAD and loopback TCP** | **{f1(raw_limit)}** |")
w("")
w("## libp2p over TCP + Noise + yamux (issue 4)")
w("")
w("Client → server. ours = `p2p_bench` (client) and `agentanycastd -enable-perf` (server); "
  "js = `test/interop/bench_js.mjs` (client) and `js/peer.mjs --perf server` (server), "
  "js-libp2p 3.3.11 on Node " + str(jj.get("node", "?")) + ".")
w("")
w("| figure | ours↔ours | js↔js | ours→js | js→ours | ours↔ours vs js↔js | goal | met |")
w("|---|---|---|---|---|---|---|---|")


def row(name, path, fmt, goal, ok, higher_better=True):
    a, b, c, e = g(oo, *path), g(jj, *path), g(oj, *path), g(jo, *path)
    w(f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(c)} | {fmt(e)} | {ratio(a, b, higher_better)} | {goal} | {ok(a, b)} |")


def bulk_ok(a, b):
    if a is None or b is None:
        return "—"
    return met(a >= 3 * b and (raw_limit == 0 or a >= 0.5 * raw_limit))


row("bulk upload, one stream (MiB/s)", ["bulk_upload_MiBps"], f1, "≥ 3× js and ≥ 50 % of the raw limit", bulk_ok)
row("bulk download, one stream (MiB/s)", ["bulk_download_MiBps"], f1, "≥ 3× js and ≥ 50 % of the raw limit", bulk_ok)
row("100 concurrent streams, total (MiB/s)", ["streams_total_MiBps"], f1, "≥ 3× js",
    lambda a, b: "—" if a is None or b is None else met(a >= 3 * b))
row("connection setup p50 (ms)", ["connect_ms", "dial_p50"], f3, "≤ 0.6 ms and ≥ 10× faster than js",
    lambda a, b: "—" if a is None or b is None else met(a <= 0.6 and b >= 10 * a), False)
row("connection setup p99 (ms)", ["connect_ms", "dial_p99"], f3, "—", lambda a, b: "—", False)
row("setup + first stream p50 (ms)", ["connect_ms", "dial_and_first_stream_p50"], f3, "—", lambda a, b: "—", False)
row("setup + first stream p99 (ms)", ["connect_ms", "dial_and_first_stream_p99"], f3, "—", lambda a, b: "—", False)
row("ping RTT on a warm stream, p50 (µs)", ["ping_rtt_us", "p50"], f1, "≤ 50 µs",
    lambda a, b: "—" if a is None else met(a <= 50), False)
row("ping RTT p99 (µs)", ["ping_rtt_us", "p99"], f1, "—", lambda a, b: "—", False)
row("idle server RSS (KiB)", ["idle_rss_before_conns_kib"], f1, "≤ 6 MB",
    lambda a, b: "—" if a is None else met(a * 1024 <= 6e6), False)
row("RSS per idle connection (KiB)", ["rss_per_idle_conn_kib"], f1, "≤ 16 KiB",
    lambda a, b: "—" if a is None else met(a <= 16), False)
w("")
w(f"Idle connections held: ours {oo.get('idle_conns', '—')} (failures {oo.get('idle_conn_failures', '—')}), "
  f"js {jj.get('idle_conns', '—')}. Bulk transfers: {oo.get('bulk_bytes', 0) // 1048576} MiB each way.")
if raw_limit and g(oo, "bulk_download_MiBps"):
    w(f"Bulk download reaches {100 * g(oo, 'bulk_download_MiBps') / raw_limit:.0f} % of the lower raw limit, "
      f"upload {100 * (g(oo, 'bulk_upload_MiBps') or 0) / raw_limit:.0f} %.")
w("")
tk, tping = load("tasks.json"), load("task_ping.json")
try:
    trss = [int(x) for x in open(os.path.join(d, "task_rss.txt")) if x.strip()]
except OSError:
    trss = []
w("## Tasks between two daemons through the gRPC API (issue 5)")
w("")
w("Two daemons on loopback (RelWithDebInfo build). The load generator is `task_bench`, one thread of C++ on "
  "nghttp2 (its CPU use is shown: below 1.0 CPU-s per s it was not the bottleneck). A round trip: `SendTask` "
  "on A, SEND_TASK to B, B's agent gets it from `SubscribeIncomingTasks`, reports WORKING, completes with an "
  "artifact, A's `SubscribeTaskUpdates` sees COMPLETED; every envelope is persisted before it is ACKed. "
  "The ping RTT is `agentanycast-peer ping` to daemon B in the same run.")
w("")
w("| figure | ours | goal | met |")
w("|---|---|---|---|")
rtt50, ping50 = tk.get("task_rtt_ms_p50"), tping.get("median_ms")
w(f"| task round trip p50 / p99 (ms) | {f3(rtt50)} / {f3(tk.get('task_rtt_ms_p99'))} | — | — |")
w(f"| libp2p ping RTT p50 (ms) | {f3(ping50)} | — | — |")
w(f"| round trip / ping RTT | {ratio(rtt50, ping50) if rtt50 and ping50 else '—'} | ≤ 10× | "
  f"{met(rtt50 <= 10 * ping50) if rtt50 and ping50 else '—'} |")
tps = tk.get("tasks_per_s")
w(f"| tasks/s, {tk.get('inflight', 64)} in flight ({tk.get('tasks', '—')} tasks, load generator "
  f"{f1(tk.get('loadgen_cpu_per_s_tasks'))} CPU-s/s) | {f1(tps)} | ≥ 5 000 | {met(tps >= 5000) if tps else '—'} |")
am, bulk = tk.get("artifact_mib_s"), g(oo, "bulk_upload_MiBps")
w(f"| artifact streaming, {tk.get('artifact_mib', '—')} MiB agent → client (MiB/s) | {f1(am)} | "
  f"≥ 80 % of bulk perf ({f1(bulk)}) | {met(am >= 0.8 * bulk) if am and bulk else '—'} |")
w(f"| peak RSS of either daemon during the run (MiB) | {f1(max(trss) / 1024 if trss else None)} | < 64 MB | "
  f"{met(max(trss) * 1024 < 64e6) if trss else '—'} |")
w("")
hb = load("http.json")
if hb:
    w("## HTTP frontends: bridge and /metrics against @a2a-js/sdk (issue 6)")
    w("")
    if hb.get("skipped"):
        w(f"skipped: {hb['skipped']}")
    else:
        w(f"`test/bench/http_bench.sh`: wrk `{hb.get('wrk_args', '?')}` on loopback, nothing pinned, ours and js in "
          "the same run. js = @a2a-js/sdk 1.3.0 on express 5.3.0 (`test/bench/a2a_js_card_server.mjs`: the SDK's "
          "`agentCardHandler` serving the card our bridge served, `jsonRpcHandler` + `DefaultRequestHandler` with an "
          "in-process executor). SendMessage is A2A 1.0 JSON-RPC, blocking: each answer is the task in its terminal "
          "state (checked: every answer holds TASK_STATE_COMPLETED; `bad` counts those that did not). Our agent is "
          "`echo_agent_bench` on daemon B's gRPC socket (WORKING, then CompleteTask with an artifact); ours p2p goes "
          "daemon A's bridge `/p2p/<B>/` → libp2p → B's agent and back.")
        w("")
        w("Requests per CPU-second divides the requests by the CPU time the server processes used during the run "
          "(ours: the daemon, plus the agent and the other daemon where they take part; js: node): on a shared, "
          "loaded machine it compares the two where requests/s also measures the neighbours.")
        w("")
        w("| figure | ours req/s | js req/s | ratio | ours req/CPU-s | js req/CPU-s | ratio | ours p50 / p99 (ms) | "
          "js p50 / p99 (ms) | goal | met |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")

        def lat(x):
            return f"{f3(x.get('p50_ms'))} / {f3(x.get('p99_ms'))}" if x.get("rps") else "—"

        def errs(x):
            n = (x.get("non_2xx") or 0) + (x.get("socket_errors") or 0) + (x.get("unexpected") or 0)
            return f" ({n} bad)" if n else ""

        def hrow(name, o, j, goal="—", ok="—"):
            if not j:
                w(f"| {name} | {f1(o.get('rps'))}{errs(o)} | — | | {f1(o.get('req_per_cpu_s'))} | — | | {lat(o)} | — | "
                  f"{goal} | {ok} |")
                return
            w(f"| {name} | {f1(o.get('rps'))}{errs(o)} | {f1(j.get('rps'))}{errs(j)} | {ratio(o.get('rps'), j.get('rps'))} | "
              f"{f1(o.get('req_per_cpu_s'))} | {f1(j.get('req_per_cpu_s'))} | "
              f"{ratio(o.get('req_per_cpu_s'), j.get('req_per_cpu_s'))} | {lat(o)} | {lat(j)} | {goal} | {ok} |")

        co, cj = hb.get("card_ours", {}), hb.get("card_js", {})
        ro, rj = co.get("rps"), cj.get("rps")
        hrow(f"GET /.well-known/agent-card.json ({hb.get('card_bytes_ours', '?')} / {hb.get('card_bytes_js', '?')} "
             "bytes; best of 2)", co, cj, "≥ 10× js req/s", met(ro >= 10 * rj) if ro and rj else "—")
        hrow("GET /metrics", hb.get("metrics_ours", {}), None)
        hrow("SendMessage round trips, local agent (B's bridge → B's agent over gRPC)", hb.get("send_ours_local", {}),
             hb.get("send_js", {}))
        hrow("SendMessage round trips, P2P agent (A's bridge → libp2p → B's agent)", hb.get("send_ours_p2p", {}), None)
        pr = hb.get("peak_rss_kib", {})
        w("")
        w(f"Peak RSS: daemon A {f1(pr['a'] / 1024 if pr.get('a') else None, ' MiB')}, daemon B "
          f"{f1(pr['b'] / 1024 if pr.get('b') else None, ' MiB')}, the js server "
          f"{f1(pr['js'] / 1024 if pr.get('js') else None, ' MiB')}. Agent: {hb.get('agent', {})}. "
          f"Card runs ours {hb.get('card_ours_runs')}, js {hb.get('card_js_runs')} req/s.")
    w("")
w("Raw JSON of this run:")
w("")
w("```")
for n in ("start.json", "start_small.json", "ours_ours.json", "js_js.json", "ours_js.json", "js_ours.json", "iperf.json", "tasks.json",
          "task_ping.json", "http.json"):
    obj = load(n)
    if n == "iperf.json":
        obj = {"iperf3_MiBps": round(tcp_mib, 1)}
    w(f"{n}: {json.dumps(obj)}")
w("```")
print("\n".join(lines))
