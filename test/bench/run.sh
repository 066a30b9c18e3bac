#!/usr/bin/env bash
# make bench: measures our binaries against js-libp2p and against the raw
# limits of this machine, side by side in one run, and writes
# test/bench/RESULTS.md (machine, date, figures, ratios, goals).
# Usage: test/bench/run.sh BUILD_DIR [SMALL_DIR]
# SMALL_DIR: the size-optimized build (`make small`); its stripped size and
# idle RSS are reported next to the default build's.
# Env: BENCH_QUICK=1 for a short run (smaller transfers and counts).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
small=""; [[ -n "${2:-}" && -x "${2}/agentanycastd" ]] && small=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/aac-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
export AGENTANYCAST_ENABLE_MDNS=false
ulimit -n "$(ulimit -Hn)"
py=/usr/bin/python3
if [[ -n "${BENCH_QUICK:-}" ]]; then
  BULK=64; DIALS=200; PINGS=300; IDLE=200; STREAM_MIB=1; TASK_RTT=200; TASKS=2000; ARTIFACT_MIB=64
else
  BULK=256; DIALS=1000; PINGS=1000; IDLE=1000; STREAM_MIB=2; TASK_RTT=1000; TASKS=20000; ARTIFACT_MIB=1024
fi
log() { echo "bench: $*" >&2; }

start_daemon() {  # $1 = dir; prints the first LISTEN_ADDR; pid in $1/pid
  local d=$1; mkdir -p "$d"
  AGENTANYCAST_STORE_PATH="$d/data" HOME="$d" "$build/agentanycastd" -key "$d/key" \
    -grpc-listen "unix://$d/d.sock" -listen /ip4/127.0.0.1/tcp/0 -enable-perf -log-level error \
    >"$d/out" 2>"$d/err" &
  echo $! >"$d/pid"
  for _ in $(seq 100); do grep -q LISTEN_ADDR "$d/out" 2>/dev/null && break; sleep 0.05; done
  grep -m1 LISTEN_ADDR "$d/out" | cut -d= -f2
}

log "static figures"
strip -o "$out/agentanycastd.stripped" "$build/agentanycastd"
size_bytes=$(stat -c %s "$out/agentanycastd.stripped")
$py "$root/test/bench/start_rss.py" "$build/agentanycastd" >"$out/start.json"
small_bytes=0
if [[ -n $small ]]; then
  strip -o "$out/agentanycastd.small" "$small/agentanycastd"
  small_bytes=$(stat -c %s "$out/agentanycastd.small")
  $py "$root/test/bench/start_rss.py" "$small/agentanycastd" >"$out/start_small.json"
fi

log "raw limits: AEAD, loopback TCP (iperf3), yamux core"
"$build/aead_bench" | grep '^{' >"$out/aead.jsonl"
port=$((20000 + RANDOM % 20000))
iperf3 -s -1 -p "$port" >/dev/null 2>&1 & sleep 0.5
iperf3 -c 127.0.0.1 -p "$port" -t 5 -J >"$out/iperf.json" 2>/dev/null || echo '{}' >"$out/iperf.json"
"$build/yamux_core_bench" 2>/dev/null | grep '^{' >"$out/yamux.jsonl" || true

log "ours <-> ours"
ma=$(start_daemon "$out/d1")
"$build/p2p_bench" --target "$ma" --server-pid "$(cat "$out/d1/pid")" --bulk-mib $BULK --stream-mib $STREAM_MIB \
  --dials $DIALS --pings $PINGS --idle-conns $IDLE >"$out/ours_ours.json"
kill "$(cat "$out/d1/pid")"

log "js -> ours"
ma=$(start_daemon "$out/d2")
(cd "$root/test/interop" && node bench_js.mjs --target "$ma" --target-pid "$(cat "$out/d2/pid")" --bulk-mib $BULK \
  --stream-mib $STREAM_MIB --dials $DIALS --pings $PINGS --idle-conns 200) >"$out/js_ours.json"
kill "$(cat "$out/d2/pid")"

log "ours -> js"
# exec: $! is node itself, so the kill below (and the EXIT trap) stop it;
# a subshell in between left node running after every bench.
(cd "$root/test/interop" && exec node js/peer.mjs --listen /ip4/127.0.0.1/tcp/0 --perf server --echo --stay --quiet >"$out/jspeer.out" 2>"$out/jspeer.err") &
jspid=$!
for _ in $(seq 200); do grep -q peerId "$out/jspeer.out" 2>/dev/null && break; sleep 0.05; done
jsma=$($py -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["addrs"][0])' "$out/jspeer.out")
node_pid=$jspid
"$build/p2p_bench" --target "$jsma" --server-pid "$node_pid" --bulk-mib $BULK --stream-mib $STREAM_MIB \
  --dials $DIALS --pings $PINGS --idle-conns 0 >"$out/ours_js.json"
kill "$jspid" 2>/dev/null || true

log "tasks: two daemons through the gRPC API (task_bench)"
tb_a="$out/ta"; tb_b="$out/tb"
start_daemon "$tb_a" >/dev/null
b_ma=$(start_daemon "$tb_b")
ping_json=$("$build/agentanycast-peer" ping "$b_ma" -count $PINGS | tail -1)
echo "$ping_json" >"$out/task_ping.json"
( while sleep 0.25; do for x in "$tb_a" "$tb_b"; do
    awk '/VmRSS/ {print $2}' "/proc/$(cat "$x/pid")/status" 2>/dev/null; done; done >"$out/task_rss.txt" ) &
rss_pid=$!
"$build/task_bench" --a "$tb_a/d.sock" --b "$tb_b/d.sock" --b-addr "$b_ma" --rtt $TASK_RTT --tasks $TASKS \
  --inflight 64 --artifact-mib $ARTIFACT_MIB >"$out/tasks.json" || echo '{}' >"$out/tasks.json"
kill "$rss_pid" 2>/dev/null || true
kill "$(cat "$tb_a/pid")" "$(cat "$tb_b/pid")"

log "HTTP frontends: bridge and /metrics against @a2a-js/sdk (http_bench.sh)"
"$root/test/bench/http_bench.sh" "$build" "$out" || echo '{}' >"$out/http.json"

log "js <-> js"
(cd "$root/test/interop" && node bench_js.mjs --bulk-mib $BULK --stream-mib $STREAM_MIB --dials $DIALS \
  --pings $PINGS --idle-conns 200) >"$out/js_js.json"

$py "$root/test/bench/report.py" "$out" "$size_bytes" "$small_bytes" >"$root/test/bench/RESULTS.md"
log "wrote test/bench/RESULTS.md"
cat "$root/test/bench/RESULTS.md"
