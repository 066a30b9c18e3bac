#!/usr/bin/env bash
# Issue 6 figures, called by test/bench/run.sh (also runs alone): the HTTP
# frontends of agentanycastd under wrk, against @a2a-js/sdk 1.3.0 on
# express 5.3.0 serving the same agent card, side by side in one run with
# the same wrk settings (loopback, nothing pinned):
#   - GET /.well-known/agent-card.json: our bridge vs the SDK's agentCardHandler
#   - GET /metrics of our [metrics] listener (no js counterpart)
#   - JSON-RPC SendMessage (A2A 1.0, blocking: the answer carries the task in
#     its terminal state, COMPLETED with the agent's artifact):
#       ours local: daemon B's bridge -> B's engine -> echo_agent_bench on
#                   B's gRPC socket (WORKING, CompleteTask)
#       ours p2p:   daemon A's bridge /p2p/<B>/ -> A's engine -> libp2p ->
#                   B's engine -> the same agent, and the answer back
#       js:         the SDK's jsonRpcHandler + DefaultRequestHandler with an
#                   in-process executor publishing the same events
#     every answer must contain "TASK_STATE_COMPLETED" (counted otherwise).
# Each run also records the CPU time of the server processes (ours: the
# daemon(s) and the agent; js: node), so requests per CPU-second compares
# the two on a loaded machine where requests/s depends on the neighbours.
# Writes ONE JSON object to OUT_DIR/http.json.
# Usage: test/bench/http_bench.sh BUILD_DIR [OUT_DIR]   Env: BENCH_QUICK=1, WRK_ARGS
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
keep_out=${2:-}
out=${2:-$(mktemp -d /tmp/aac-http-bench.XXXXXX)}
mkdir -p "$out/http"
w="$out/http"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n "$keep_out" ]] || rm -rf "$out"
}
trap cleanup EXIT
export AGENTANYCAST_ENABLE_MDNS=false
py=/usr/bin/python3
log() { echo "http_bench: $*" >&2; }
for tool in wrk curl node; do
  command -v $tool >/dev/null || { log "skipped: $tool not installed (make test-deps)"; echo '{"skipped":"'$tool' not installed"}' >"$out/http.json"; exit 0; }
done
if [[ -n "${BENCH_QUICK:-}" ]]; then dur=2s; else dur=5s; fi
WRK_ARGS=${WRK_ARGS:-"-t1 -c32 -d$dur"}
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_daemon() {  # $1 = dir, $2 = bridge port, $3 = metrics port, rest: flags; prints LISTEN_ADDR
  local d=$1 bp=$2 mp=$3; shift 3; mkdir -p "$d"
  printf '[metrics]\nenabled = true\nlisten = "127.0.0.1:%s"\n' "$mp" >"$d/config.toml"
  AGENTANYCAST_STORE_PATH="$d/data" HOME="$d" "$build/agentanycastd" -config "$d/config.toml" -key "$d/key" \
    -grpc-listen "unix://$d/d.sock" -listen /ip4/127.0.0.1/tcp/0 -bridge-listen "127.0.0.1:$bp" -log-level error \
    "$@" >"$d/out" 2>"$d/err" &
  echo $! >"$d/pid"
  for _ in $(seq 200); do grep -q LISTEN_ADDR "$d/out" 2>/dev/null && break; sleep 0.05; done
  grep -m1 LISTEN_ADDR "$d/out" | cut -d= -f2
}
wait_200() {  # $1 = url
  for _ in $(seq 200); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" == 200 ]] && return 0
    sleep 0.05
  done
  log "no 200 from $1"; return 1
}
cpu_ticks() {  # utime + stime of the pids given, in clock ticks
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $t
}
# The machine is shared and loaded: besides requests/s (what a client sees)
# each run records the CPU time the server processes used, so requests per
# CPU-second compares ours and js independently of the load.
run_wrk() {  # $1 = name, $2 = url, rest = server pids; env WRK_* for the script
  local name=$1 url=$2; shift 2
  local c0; c0=$(cpu_ticks "$@")
  # shellcheck disable=SC2086
  wrk $WRK_ARGS --timeout 10s -s "$root/test/bench/wrk_json.lua" "$url" 2>"$w/$name.err" | grep '^{' >"$w/$name.json" \
    || echo '{}' >"$w/$name.json"
  echo $(( $(cpu_ticks "$@") - c0 )) >"$w/$name.cpu"
  log "$name: $(cat "$w/$name.json") server CPU ticks $(cat "$w/$name.cpu")"
}

log "daemons A and B with bridge and metrics, B's agent"
bb=$(free_port); bm=$(free_port); ab=$(free_port); am=$(free_port)
b_ma=$(start_daemon "$w/b" "$bb" "$bm"); b_pid=$(cat "$w/b/pid"); pids+=("$b_pid")
b_peer=${b_ma##*/p2p/}
"$build/echo_agent_bench" --sock "$w/b/d.sock" >"$w/agent.out" 2>"$w/agent.err" &
agent_pid=$!; pids+=("$agent_pid")
for _ in $(seq 100); do grep -q READY "$w/agent.out" 2>/dev/null && break; sleep 0.05; done
grep -q READY "$w/agent.out" || { log "agent not ready: $(cat "$w/agent.err")"; exit 1; }
start_daemon "$w/a" "$ab" "$am" -bootstrap-peers "$b_ma" >/dev/null; a_pid=$(cat "$w/a/pid"); pids+=("$a_pid")
ours_card="http://127.0.0.1:$bb/.well-known/agent-card.json"
wait_200 "$ours_card"
wait_200 "http://127.0.0.1:$ab/p2p/$b_peer/.well-known/agent-card.json"  # A has B's card: connected
curl -s "$ours_card" >"$w/card.json"

log "@a2a-js/sdk server with the same card"
node "$root/test/bench/a2a_js_card_server.mjs" --card "$w/card.json" >"$w/js.out" 2>"$w/js.err" &
js_pid=$!; pids+=("$js_pid")
for _ in $(seq 200); do grep -q port "$w/js.out" 2>/dev/null && break; sleep 0.05; done
jp=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$w/js.out")
js_card="http://127.0.0.1:$jp/.well-known/agent-card.json"
wait_200 "$js_card"
curl -s "$js_card" >"$w/js_card.json"

# One checked call each before the load: the answer is the completed task.
send_body='{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m-%d","role":"ROLE_USER","parts":[{"text":"hello"}]}}}'
pct_d='%d'
for url in "http://127.0.0.1:$bb/" "http://127.0.0.1:$ab/p2p/$b_peer/" "http://127.0.0.1:$jp/"; do
  r=$(curl -s "$url" -H 'Content-Type: application/json' -H 'A2A-Version: 1.0' -d "${send_body//"$pct_d"/check}")
  grep -q TASK_STATE_COMPLETED <<<"$r" || { log "SendMessage to $url did not complete: $r"; exit 1; }
  grep -q 'echo: hello' <<<"$r" || { log "SendMessage to $url: no echo artifact: $r"; exit 1; }
done

log "warm-up (1 s each, not counted): node's JIT, our caches"
for url in "$ours_card" "$js_card"; do wrk -t1 -c32 -d1s "$url" >/dev/null 2>&1 || true; done
WRK_METHOD=POST WRK_BODY="$send_body" WRK_HEADERS="Content-Type: application/json|A2A-Version: 1.0" \
  wrk -t1 -c32 -d1s -s "$root/test/bench/wrk_json.lua" "http://127.0.0.1:$jp/" >/dev/null 2>&1 || true

log "wrk $WRK_ARGS: agent card, ours and js alternating (best of 2 each)"
for round in 1 2; do
  run_wrk "card_ours_$round" "$ours_card" "$b_pid"
  run_wrk "card_js_$round" "$js_card" "$js_pid"
done
run_wrk metrics_ours "http://127.0.0.1:$bm/metrics" "$b_pid"

log "wrk $WRK_ARGS: SendMessage (blocking) ours local, ours p2p, js"
export WRK_METHOD=POST WRK_BODY="$send_body" WRK_HEADERS="Content-Type: application/json|A2A-Version: 1.0"
export WRK_EXPECT=TASK_STATE_COMPLETED
run_wrk send_ours_local "http://127.0.0.1:$bb/" "$b_pid" "$agent_pid"
run_wrk send_ours_p2p "http://127.0.0.1:$ab/p2p/$b_peer/" "$a_pid" "$b_pid" "$agent_pid"
run_wrk send_js "http://127.0.0.1:$jp/" "$js_pid"
unset WRK_METHOD WRK_BODY WRK_HEADERS WRK_EXPECT

for x in a b; do awk '/VmHWM/ {print $2}' "/proc/$(cat "$w/$x/pid")/status" >"$w/$x.hwm" 2>/dev/null || true; done
js_rss=$(awk '/VmHWM/ {print $2}' "/proc/$js_pid/status" 2>/dev/null || echo 0)
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true
$py - "$w" "$WRK_ARGS" "$js_rss" "$(wc -c <"$w/card.json")" "$(wc -c <"$w/js_card.json")" >"$out/http.json" <<'EOF'
import json, os, sys
w, args, js_rss, card_b, js_card_b = sys.argv[1], sys.argv[2], int(sys.argv[3] or 0), int(sys.argv[4]), int(sys.argv[5])
hz = os.sysconf("SC_CLK_TCK")
def load(n):
    try:
        r = json.load(open(os.path.join(w, n + ".json")))
    except (OSError, ValueError):
        return {}
    try:
        cpu = int(open(os.path.join(w, n + ".cpu")).read()) / hz
        r["server_cpu_s"] = cpu
        r["req_per_cpu_s"] = round(r["requests"] / cpu, 1) if cpu > 0 else None
    except (OSError, ValueError, KeyError):
        pass
    return r
def best(prefix):
    runs = [load(f"{prefix}_{i}") for i in (1, 2)]
    runs = [r for r in runs if r.get("rps")]
    return max(runs, key=lambda r: r["rps"]) if runs else {}
def hwm(x):
    try:
        return int(open(os.path.join(w, x + ".hwm")).read().strip())
    except (OSError, ValueError):
        return None
agent = {}
for l in open(os.path.join(w, "agent.out")):
    if l.startswith("{"):
        agent = json.loads(l)
r = {"wrk_args": args, "card_bytes_ours": card_b, "card_bytes_js": js_card_b,
     "card_ours": best("card_ours"), "card_js": best("card_js"),
     "card_ours_runs": [load(f"card_ours_{i}").get("rps") for i in (1, 2)],
     "card_js_runs": [load(f"card_js_{i}").get("rps") for i in (1, 2)],
     "metrics_ours": load("metrics_ours"), "send_ours_local": load("send_ours_local"),
     "send_ours_p2p": load("send_ours_p2p"), "send_js": load("send_js"), "agent": agent,
     "peak_rss_kib": {"a": hwm("a"), "b": hwm("b"), "js": js_rss or None}}
print(json.dumps(r))
EOF
log "wrote $out/http.json"
cat "$out/http.json"
