#!/usr/bin/env bash
# The NAT lab itself (nn_nat), checked without our binaries:
#   isolation  : a (behind nat1) and b (behind nat2) are unreachable from outside; a reaches
#                the public relay through nat1, and the relay sees nat1's public address
#   punch masq : a raw TCP and UDP hole punch with port reuse succeeds through two "masq" NATs
#   punch random: the same fails through two symmetric ("random,fully-random") NATs
#   relay js   : js-libp2p circuit relay v2 through both NATs (b reserves, a pings b via relay)
# These are what the relay / DCUtR / AutoNAT tests of our stack will stand on.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
PEER=$here/../interop/js/peer.mjs
T1="nat lab: a and b are isolated behind their NATs"
T2="nat lab: a reaches the relay through nat1 (seen as nat1's public IP)"
T3="nat lab: raw TCP+UDP hole punch with port reuse through masquerade NATs"
T4="nat lab: raw hole punch fails through symmetric NATs (random,fully-random)"
T5="nat lab: js circuit relay v2 through both NATs"
nn_setup "$T1" "$T2" "$T3" "$T4" "$T5"
out=$(mktemp -d /tmp/aac-netns-XXXXXX); trap 'nn_teardown; rm -rf "$out"' EXIT
P=$NN_PUB
nn_nat masq

# tcp_ok NS IP PORT: a TCP connection from NS succeeds within 2 s
tcp_ok() { nn_exec "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }

# ---------------------------------------------------------------- isolation
nn_spawn b "$out/srv-b" python3 -m http.server 4002 --bind 0.0.0.0
# the relay prints the source address of every TCP connection it accepts
nn_spawn relay "$out/srv-r" python3 -u -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], 4001)); s.listen()
print("listening", flush=True)
while True:
    c, a = s.accept(); print("from %s:%d" % a, flush=True); c.close()' "$P.10"
nn_wait_for "$out/srv-b.err" 'Serving|serving' 10; nn_wait_for "$out/srv-r.out" listening 10
bad=""
tcp_ok b 10.0.2.2 4002 || bad+="b's own listener is not up; "
tcp_ok a 10.0.2.2 4002 && bad+="a reached b's private address; "
tcp_ok a "$P.22" 4002 && bad+="a reached b through nat2's public IP; "
tcp_ok relay 10.0.2.2 4002 && bad+="relay reached 10.0.2.2; "
tcp_ok relay "$P.22" 4002 && bad+="relay reached nat2's public IP :4002; "
[[ -z $bad ]] && nn_pass "$T1" "private and public probes to b refused/dropped; b's own listener up" || nn_fail "$T1" "$bad"
if tcp_ok a "$P.10" 4001 && nn_wait_for "$out/srv-r.out" "from $P\\.21:" 3; then
  nn_pass "$T2" "relay saw: $(grep -m1 "from $P.21" "$out/srv-r.out")"
else nn_fail "$T2" "a could not reach the relay, or the relay did not see $P.21: $(tail -n 2 "$out/srv-r.out" "$out/srv-r.err" | tr '\n' ' ')"; fi
for p in "${NN_PIDS[@]}"; do nn_kill "$p"; done; NN_PIDS=()

# ---------------------------------------------------------------- hole punching
# Each round uses its own ports: conntrack entries of an earlier round (kept up to 30 s for
# UDP, and not flushed: conntrack-tools may be absent) must not carry a mapping over.
punch_pair() { # punch_pair tcp|udp PORT_A PORT_B -> 0 if both sides succeeded
  setsid ip netns exec "$(nn_ns a)" python3 "$here/punch.py" "$1" 10.0.1.2 "$2" "$P.22" "$3" 4 > "$out/punch-a.json" &
  local pa=$!; NN_PIDS+=("$pa")   # killed by the trap if the suite is interrupted
  sleep 0.3   # staggered on purpose: a's first packets reach nat2 before b has punched
  nn_exec b python3 "$here/punch.py" "$1" 10.0.2.2 "$3" "$P.21" "$2" 4 > "$out/punch-b.json"; local rb=$?
  wait $pa; local ra=$?
  [[ $ra -eq 0 && $rb -eq 0 ]]
}
r=""; ok=1
for pr in tcp udp; do if punch_pair $pr 5001 5002; then r+="$pr ok ($(cat "$out/punch-a.json" | sed -nE 's/.*"ms": ([0-9]+).*/\1/p') ms); "; else ok=0; r+="$pr FAILED $(cat "$out/punch-a.json" "$out/punch-b.json" | tr '\n' ' '); "; fi; done
[[ $ok == 1 ]] && nn_pass "$T3" "$r" || nn_fail "$T3" "$r"
nn_nat_mode random
r=""; ok=1
for pr in tcp udp; do if punch_pair $pr 5101 5102; then ok=0; r+="$pr punched (unexpected); "; else r+="$pr failed as expected; "; fi; done
[[ $ok == 1 ]] && nn_pass "$T4" "$r" || nn_fail "$T4" "$r"
nn_nat_mode masq

# ---------------------------------------------------------------- js relay through the NATs
if [[ ! -d $here/../interop/node_modules/libp2p ]]; then nn_fail "$T5" "test/interop/node_modules missing (npm ci)"; nn_closing; exit; fi
nn_spawn relay "$out/relay" node "$PEER" --relay-server --listen "/ip4/$P.10/tcp/4001" --announce "/ip4/$P.10/tcp/4001" --stay
rpid=$NN_PID
if nn_wait_for "$out/relay.out" peerId 20 "$rpid"; then
  R="/ip4/$P.10/tcp/4001/p2p/$(nn_json "$(head -1 "$out/relay.out")" peerId)"
  nn_spawn b "$out/b" node "$PEER" --listen /ip4/0.0.0.0/tcp/4002 --relay-reserve "$R" --echo --stay
  if nn_wait_for "$out/b.out" peerId 30 "$NN_PID" && head -1 "$out/b.out" | grep -q p2p-circuit; then
    B=$(nn_json "$(head -1 "$out/b.out")" peerId)
    if nn_exec a timeout 60 node "$PEER" --ping "$R/p2p-circuit/p2p/$B" 5 --echo-dial "$R/p2p-circuit/p2p/$B" 65536 --quiet > "$out/a.out" 2> "$out/a.err"; then
      seen=$(grep -m1 '"connection:open".*"remoteAddr":"/ip4/'"$P"'\.21/' "$out/relay.out" | cut -c1-160)
      if [[ -n $seen ]]; then nn_pass "$T5" "$(grep '"result":"ping"' "$out/a.out" | sed -nE 's/.*("medianMs":[0-9.]+).*/\1/p'); relay saw a as nat1's public IP"
      else nn_fail "$T5" "relay did not see a connection from $P.21"; fi
    else nn_fail "$T5" "a -> relay -> b failed: $(tail -n 3 "$out/a.out" "$out/a.err" | tr '\n' ' ' | cut -c1-400)"; fi
  else nn_fail "$T5" "b got no relay reservation: $(head -1 "$out/b.out") $(tail -n 3 "$out/b.err")"; fi
else nn_fail "$T5" "relay did not start: $(tail -n 3 "$out/relay.err")"; fi
nn_closing
