#!/usr/bin/env bash
# mDNS with our daemon on a LAN bridge (namespaces lan1..lan3), each pair discovered within 2 s:
#   ours<->js  : agentanycastd in lan1, js peer --mdns in lan2. js must list our daemon in a
#                peer:discovery event; our daemon must discover js and dial it (js then
#                prints an inbound connection:open from our peer ID).
#   ours<->ours: agentanycastd in lan1 and lan3. Each must log its discovery (a stderr line
#                containing "mdns" and the other's peer ID — see README.md), and a TCP
#                connection between the two must be established.
# Binaries from AAC_BUILD_DIR (default build/). Until agentanycast-peer (the marker that the
# libp2p stack has landed) is built, every test is skipped.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
PEER=$root/test/interop/js/peer.mjs
BUILD=$(cd "$root" && cd "${AAC_BUILD_DIR:-build}" 2>/dev/null && pwd || echo "$root/${AAC_BUILD_DIR:-build}")
T1="mdns ours<->js: js discovers our daemon within 2 s"
T2="mdns ours<->js: our daemon discovers and dials js within 2 s"
T3="mdns ours<->ours: daemon A discovers daemon B within 2 s"
T4="mdns ours<->ours: daemon B discovers daemon A within 2 s"
T5="mdns ours<->ours: A and B connected within 2 s"
ALL=("$T1" "$T2" "$T3" "$T4" "$T5")
BUDGET_MS=${AAC_MDNS_BUDGET_MS:-2000}

for b in agentanycast-peer agentanycastd; do
  if [[ ! -x $BUILD/$b ]]; then
    for t in "${ALL[@]}"; do nn_skip "$t" "$b not built ($BUILD/$b missing)"; done
    nn_closing; exit
  fi
done
nn_setup "${ALL[@]}"
if grep -q '^AAC_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  BUDGET_MS=${AAC_MDNS_BUDGET_MS:-4000}   # ASan start-up and event loop are slower
  export ASAN_OPTIONS='abort_on_error=1:detect_leaks=1' UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1'
fi
out=$(mktemp -d /tmp/aac-netns-XXXXXX); trap 'nn_teardown; rm -rf "$out"' EXIT
now_ms() { date +%s%3N; }

# start_daemon NS NAME IP : sets ID_<NAME>, READY_<NAME> (ms when LISTEN_ADDR was seen)
start_daemon() {
  local n=$1 name=$2 ip=$3 d="$out/$2"
  mkdir -p "$d"
  AGENTANYCAST_ENABLE_MDNS=true AGENTANYCAST_STORE_PATH="$d/data" \
    nn_spawn "$n" "$d/log" "$BUILD/agentanycastd" -key "$d/key" -grpc-listen "unix://$d/d.sock" -listen "/ip4/$ip/tcp/4001"
  if ! nn_wait_for "$d/log.out" '^LISTEN_ADDR=' 15 "$NN_PID"; then
    START_ERR="daemon $name did not print LISTEN_ADDR= ($(kill -0 "$NN_PID" 2>/dev/null && echo 'still running' || echo 'exited')); stdout: $(tail -n 3 "$d/log.out" | tr '\n' ' ') stderr: $(tail -n 3 "$d/log.err" | tr '\n' ' ')"
    return 1
  fi
  printf -v "READY_$name" '%s' "$(now_ms)"
  printf -v "ID_$name" '%s' "$(sed -n 's/^PEER_ID=//p' "$d/log.out" | head -1)"
}
sanitizer_check() { # prints the first sanitizer report line of any daemon log
  grep -hE -m1 'ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error: ' "$out"/*/log.err 2>/dev/null | head -1
}
# elapsed_until FILE REGEX T0 : ms from T0 until a line matching REGEX appeared (polling), or -1
elapsed_until() {
  local file=$1 re=$2 t0=$3 limit=$((BUDGET_MS + 2000)) t
  while :; do
    if grep -qE -- "$re" "$file" 2>/dev/null; then t=$(now_ms); echo $((t - t0)); return; fi
    t=$(now_ms); (( t - t0 > limit )) && { echo -1; return; }
    sleep 0.02
  done
}
verdict() { # verdict TEST MS WHAT
  if (( $2 < 0 )); then nn_fail "$1" "$3: not within $((BUDGET_MS + 2000)) ms"
  elif (( $2 > BUDGET_MS )); then nn_fail "$1" "$3 after $2 ms (budget $BUDGET_MS ms)"
  else nn_pass "$1" "$3 after $2 ms"; fi
}

nn_lan 3

# ---------------------------------------------------------------- ours <-> js
if start_daemon lan1 A "$NN_LAN.11"; then
  nn_spawn lan2 "$out/js" node "$PEER" --listen "/ip4/$NN_LAN.12/tcp/4001" --mdns --stay
  if nn_wait_for "$out/js.out" peerId 20 "$NN_PID"; then
    t0=$(now_ms)
    # js's mDNS component parsed our answer ("mdns:peer", see peer.mjs).
    e1=$(elapsed_until "$out/js.out" "\"mdns:peer\",\"peer\":\"$ID_A\"" "$t0")
    verdict "$T1" "$e1" "js's mDNS found our daemon"
    if (( e1 >= 0 )) && ! grep -m1 "\"mdns:peer\",\"peer\":\"$ID_A\"" "$out/js.out" | grep -q "/ip4/$NN_LAN.11/tcp/4001"; then
      nn_fail "$T1" "our mDNS answer lacks /ip4/$NN_LAN.11/tcp/4001: $(grep -m1 "mdns:peer.*$ID_A" "$out/js.out")"
    fi
    e2=$(elapsed_until "$out/js.out" "\"connection:open\",\"remotePeer\":\"$ID_A\".*\"direction\":\"inbound\"" "$t0")
    verdict "$T2" "$e2" "our daemon dialed js (js: inbound connection:open from $ID_A)"
  else
    nn_fail "$T1" "js peer did not start: $(tail -n 3 "$out/js.err")"; nn_fail "$T2" "js peer did not start"
  fi
else
  nn_fail "$T1" "$START_ERR"; nn_fail "$T2" "$START_ERR"
fi

# ---------------------------------------------------------------- ours <-> ours
# A keeps running from above; B starts in lan3 (js in lan2 keeps running: a realistic LAN)
if [[ -n ${ID_A:-} ]] && start_daemon lan3 B "$NN_LAN.13"; then
  t0=$READY_B
  e3=$(elapsed_until "$out/A/log.err" "[Mm][Dd][Nn][Ss].*$ID_B|$ID_B.*[Mm][Dd][Nn][Ss]" "$t0")
  verdict "$T3" "$e3" "A logged B ($ID_B) as found by mDNS"
  e4=$(elapsed_until "$out/B/log.err" "[Mm][Dd][Nn][Ss].*$ID_A|$ID_A.*[Mm][Dd][Nn][Ss]" "$t0")
  verdict "$T4" "$e4" "B logged A ($ID_A) as found by mDNS"
  e5=-1
  while :; do
    if nn_exec lan1 ss -Htn state established "( dst $NN_LAN.13 or src $NN_LAN.13 )" | grep -q .; then e5=$(( $(now_ms) - t0 )); break; fi
    (( $(now_ms) - t0 > BUDGET_MS + 2000 )) && break
    sleep 0.02
  done
  verdict "$T5" "$e5" "TCP connection A<->B established"
else
  for t in "$T3" "$T4" "$T5"; do nn_fail "$t" "${START_ERR:-daemon A did not start}"; done
fi

rep=$(sanitizer_check)
[[ -n $rep ]] && nn_fail "sanitizer report from a daemon" "$rep"
nn_closing
