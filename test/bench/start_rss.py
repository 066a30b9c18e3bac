"""Start-to-'started' time (20 runs) and idle RSS 5 s after start of the daemon.
Prints one JSON object. Usage: start_rss.py <agentanycastd>"""
import json, os, signal, statistics, subprocess, sys, tempfile, time

binary = sys.argv[1]
env = dict(os.environ, AGENTANYCAST_ENABLE_MDNS="false")


def start(d):
    e = dict(env, HOME=d, AGENTANYCAST_STORE_PATH=os.path.join(d, "data"))
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "-key", os.path.join(d, "key"), "-grpc-listen", f"unix://{d}/d.sock",
                          "-listen", "/ip4/127.0.0.1/tcp/0"], env=e, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if '"msg":"started"' in line:
            return p, time.monotonic() - t0
    raise SystemExit("daemon did not start")


times = []
with tempfile.TemporaryDirectory() as d:
    start(d)[0].kill()  # first start creates the key and the store
    for _ in range(20):
        p, t = start(d)
        times.append(t * 1000)
        p.send_signal(signal.SIGTERM)
        p.wait()
    p, _ = start(d)
    time.sleep(5)
    rss = int([l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS:")][0].split()[1])
    p.send_signal(signal.SIGTERM)
    p.wait()
print(json.dumps({"start_ms_p50": round(statistics.median(times), 2), "start_ms_min": round(min(times), 2),
                  "idle_rss_kib": rss}))
