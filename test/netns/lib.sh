# test/netns/lib.sh — network-namespace topologies for tests (source it; bash, run as root).
#
# Every namespace of a run is named "${NN_PREFIX}<name>" (default prefix "aac<pid>-"), every
# veth pair is created directly inside two lab namespaces, nothing is attached to, routed to
# or NATed on the host's interfaces, and no lab namespace has a route out of the lab. So
# multicast (mDNS) and test traffic never leave the machine. nn_setup installs a trap that
# kills every process started with nn_spawn (whole process group) and deletes the namespaces
# on exit, error, Ctrl-C or SIGTERM. Namespaces left by runs whose process is gone are
# removed by nn_setup too.
#
#   nn_setup                     check root + netns + nft (else print "skipped: ..." and exit 0
#                                with a closing line), install the cleanup trap
#   nn_lan N                     LAN: bridge ns "lanbr" + hosts lan1..lanN on 192.168.77.0/24
#                                (lanK = 192.168.77.(10+K), fd00:77::(10+K)/64), multicast route
#                                224.0.0.0/4 via eth0, bridge multicast snooping off (mDNS)
#   nn_nat [MODE]                two NATed LANs behind a "public" net (see README.md):
#                                inet (bridge), relay 11.0.113.10, pub2 11.0.113.30,
#                                nat1 11.0.113.21 / 10.0.1.1, nat2 11.0.113.22 / 10.0.2.1,
#                                a 10.0.1.2 (behind nat1), b 10.0.2.2 (behind nat2)
#   nn_nat_mode MODE [nat1|nat2|both]   masq | persistent | random | snat | cone-emu
#   nn_exec NAME CMD...          run CMD with NAME's network (file system stays the host's)
#   nn_spawn NAME LOG CMD...     start CMD in NAME in the background, in its own process
#                                group; stdout -> LOG.out, stderr -> LOG.err; sets NN_PID
#   nn_kill PID                  SIGTERM the process group, SIGKILL after 2 s
#   nn_wait_for FILE REGEX SECS [PID]  wait until a line of FILE matches REGEX (0) or time
#                                out / PID exits (1)
#   nn_teardown                  what the trap runs (safe to call twice)
#   nn_pass / nn_fail / nn_skip NAME [WHY]   record a result; nn_closing prints
#                                "N passed, N failed, N skipped" and returns 1 if any failed
#
# Constants: NN_PUB (public prefix, default 11.0.113 — NOT a TEST-NET range, because
# js-libp2p treats 192.0.2/24, 198.51.100/24 and 203.0.113/24 as private and then drops them
# from DCUtR/AutoNAT/identify), NN_LAN (192.168.77), NN_CONE_PORTS (4000-4999).

NN_PREFIX=${NN_PREFIX:-aac$$-}
NN_PUB=${NN_PUB:-11.0.113}
NN_LAN=${NN_LAN:-192.168.77}
NN_CONE_PORTS=${NN_CONE_PORTS:-4000-4999}
NN_CREATED=()   # short names of namespaces this run created
NN_PIDS=()      # process-group leaders started with nn_spawn
NN_PASSED=0; NN_FAILED=0; NN_SKIPPED=0

nn_ns() { echo "${NN_PREFIX}$1"; }
nn_exec() { local n=$1; shift; ip netns exec "$(nn_ns "$n")" "$@"; }

# ------------------------------------------------------------------ results
nn_pass() { NN_PASSED=$((NN_PASSED + 1)); echo "PASS $1${2:+ — $2}"; }
nn_fail() { NN_FAILED=$((NN_FAILED + 1)); echo "FAIL $1${2:+ — $2}"; }
nn_skip() { NN_SKIPPED=$((NN_SKIPPED + 1)); echo "SKIP $1 — skipped: $2"; }
nn_closing() { echo "$NN_PASSED passed, $NN_FAILED failed, $NN_SKIPPED skipped"; [[ $NN_FAILED -eq 0 ]]; }

# ------------------------------------------------------------------ setup / teardown
# Returns 0 if this machine can build the lab; otherwise prints why on stdout.
nn_can_run() {
  if [[ $(id -u) -ne 0 ]]; then echo "not root"; return 1; fi
  local t
  for t in ip nft; do command -v "$t" >/dev/null || { echo "$t not installed"; return 1; }; done
  local probe="${NN_PREFIX}probe"
  if ! ip netns add "$probe" 2>/dev/null; then echo "no netns support (ip netns add failed)"; return 1; fi
  if ! ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null || ! ip netns exec "$probe" nft list tables >/dev/null 2>&1; then
    ip netns del "$probe" 2>/dev/null; echo "no veth/nftables support in namespaces"; return 1
  fi
  ip netns del "$probe"
  return 0
}

# Removes namespaces named aac<pid>-* whose pid is gone (left by a killed run).
nn_reap_stale() {
  local n pid
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^aac[0-9]+-' || true); do
    pid=${n#aac}; pid=${pid%%-*}
    kill -0 "$pid" 2>/dev/null || ip netns del "$n" 2>/dev/null || true
  done
}

# nn_setup TESTNAME...: skips (exit 0 with a closing line) when the lab cannot be built.
nn_setup() {
  local why
  if ! why=$(nn_can_run); then
    local t; for t in "$@"; do nn_skip "$t" "$why"; done
    nn_closing; exit 0
  fi
  nn_reap_stale
  trap nn_teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

nn_kill() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for ((i = 0; i < 20; i++)); do kill -0 -- "-$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

nn_teardown() {
  local p n
  for p in "${NN_PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${NN_PIDS[@]}"; do nn_kill "$p"; done
  NN_PIDS=()
  for n in "${NN_CREATED[@]}"; do ip netns del "$(nn_ns "$n")" 2>/dev/null || true; done
  NN_CREATED=()
}

# ------------------------------------------------------------------ building blocks
nn_ns_add() {
  local n; n=$(nn_ns "$1")
  ip netns del "$n" 2>/dev/null || true
  ip netns add "$n"
  NN_CREATED+=("$1")
  ip -n "$n" link set lo up
}

# nn_veth NS_A IF_A NS_B IF_B: the pair is born inside the two namespaces
nn_veth() {
  ip -n "$(nn_ns "$1")" link add "$2" type veth peer name "$4" netns "$(nn_ns "$3")"
  ip -n "$(nn_ns "$1")" link set "$2" up
  ip -n "$(nn_ns "$3")" link set "$4" up
}

nn_no_ipv6() { nn_exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true; }

# ------------------------------------------------------------------ LAN (mDNS)
nn_lan() {
  local count=${1:-2} i
  nn_ns_add lanbr
  nn_no_ipv6 lanbr
  ip -n "$(nn_ns lanbr)" link add br0 type bridge mcast_snooping 0
  ip -n "$(nn_ns lanbr)" link set br0 up
  for ((i = 1; i <= count; i++)); do
    nn_ns_add "lan$i"
    # IPv6 stays on (link-local + a ULA, no DAD delay) so IPv6 mDNS can be tested too
    nn_exec "lan$i" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 || true
    nn_veth "lan$i" eth0 lanbr "v-lan$i"
    ip -n "$(nn_ns lanbr)" link set "v-lan$i" master br0
    ip -n "$(nn_ns "lan$i")" addr add "$NN_LAN.$((10 + i))/24" dev eth0
    ip -n "$(nn_ns "lan$i")" -6 addr add "fd00:77::$((10 + i))/64" dev eth0 nodad
    ip -n "$(nn_ns "lan$i")" route add 224.0.0.0/4 dev eth0
  done
}

# ------------------------------------------------------------------ two NATs + public net
# nn_nat_rules NAT_NS PUBLIC_IP LAN_CIDR LAN_HOST MODE
nn_nat_rules() {
  local n=$1 pubip=$2 lan=$3 host=$4 mode=$5 rule pre="" fwd=""
  case "$mode" in
    masq|cone-emu) rule='oifname "eth0" masquerade' ;;
    persistent) rule='oifname "eth0" masquerade persistent' ;;
    random) rule='oifname "eth0" masquerade random,fully-random' ;;
    snat) rule="oifname \"eth0\" snat to $pubip" ;;
    *) echo "nn_nat_rules: unknown NAT mode '$mode'" >&2; return 1 ;;
  esac
  if [[ $mode == cone-emu ]]; then
    # address-restricted cone for stacks that cannot dial from their listen port (js-libp2p):
    # inbound to <pub>:$NN_CONE_PORTS goes to the LAN host, only from public IPs the host
    # itself opened a flow to in the last 60 s
    pre="chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"eth0\" ip saddr @punched tcp dport $NN_CONE_PORTS dnat to $host
    iifname \"eth0\" ip saddr @punched udp dport $NN_CONE_PORTS dnat to $host
  }"
    fwd="iifname \"eth1\" oifname \"eth0\" update @punched { ip daddr } accept
    iifname \"eth0\" ct status dnat accept"
  fi
  nn_exec "$n" nft -f - <<EOF
table ip aaclab
delete table ip aaclab
table ip aaclab {
  set punched { type ipv4_addr; flags dynamic,timeout; timeout 60s; }
  $pre
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $lan $rule
  }
  chain input {
    type filter hook input priority filter; policy accept;
    # silently drop unsolicited TCP/UDP to the NAT's public address, like a home router; a
    # RST/ICMP reply would leave a conntrack entry that makes masquerade pick another port
    iifname "eth0" ct state new meta l4proto { tcp, udp } drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    $fwd
    iifname "eth1" oifname "eth0" accept
  }
}
EOF
  nn_exec "$n" conntrack -F >/dev/null 2>&1 || true
}

nn_nat() {
  local mode=${1:-masq} h n o i
  for n in inet relay pub2 nat1 nat2 a b; do nn_ns_add "$n"; nn_no_ipv6 "$n"; done
  ip -n "$(nn_ns inet)" link add br0 type bridge
  ip -n "$(nn_ns inet)" link set br0 up
  ip -n "$(nn_ns inet)" addr add "$NN_PUB.1/24" dev br0
  for h in relay:10 nat1:21 nat2:22 pub2:30; do
    n=${h%%:*}; o=${h##*:}
    nn_veth "$n" eth0 inet "v-$n"
    ip -n "$(nn_ns inet)" link set "v-$n" master br0
    ip -n "$(nn_ns "$n")" addr add "$NN_PUB.$o/24" dev eth0
  done
  for i in 1 2; do
    h=$([[ $i == 1 ]] && echo a || echo b)
    nn_veth "nat$i" eth1 "$h" eth0
    ip -n "$(nn_ns "nat$i")" addr add "10.0.$i.1/24" dev eth1
    ip -n "$(nn_ns "$h")" addr add "10.0.$i.2/24" dev eth0
    ip -n "$(nn_ns "$h")" route add default via "10.0.$i.1"
    nn_exec "nat$i" sysctl -qw net.ipv4.ip_forward=1   # per-namespace; the host is untouched
    nn_nat_rules "nat$i" "$NN_PUB.2$i" "10.0.$i.0/24" "10.0.$i.2" "$mode"
  done
}

nn_nat_mode() {
  local mode=$1 which=${2:-both}
  case $which in nat1|both) nn_nat_rules nat1 "$NN_PUB.21" 10.0.1.0/24 10.0.1.2 "$mode" ;; esac
  case $which in nat2|both) nn_nat_rules nat2 "$NN_PUB.22" 10.0.2.0/24 10.0.2.2 "$mode" ;; esac
}

# ------------------------------------------------------------------ processes
# nn_spawn NS LOGBASE CMD... : background, own process group (setsid), env passes through
nn_spawn() {
  local n=$1 log=$2; shift 2
  setsid ip netns exec "$(nn_ns "$n")" "$@" >"$log.out" 2>"$log.err" </dev/null &
  NN_PID=$!
  NN_PIDS+=("$NN_PID")
}

nn_wait_for() { # nn_wait_for FILE REGEX SECS [PID]: gives up early when PID has exited
  local file=$1 re=$2 secs=$3 pid=${4:-} i
  for ((i = 0; i < secs * 20; i++)); do
    grep -qE -- "$re" "$file" 2>/dev/null && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then grep -qE -- "$re" "$file" 2>/dev/null; return; fi
    sleep 0.05
  done
  return 1
}

# First line of FILE matching REGEX (empty if none).
nn_line() { grep -m1 -E -- "$2" "$1" 2>/dev/null || true; }
# Value of "key" in a JSON line (strings and numbers only; enough for peer.mjs output).
nn_json() { sed -nE "s/.*\"$2\":\"?([^\",}]*)\"?.*/\1/p" <<<"$1" | head -1; }

# nn_reachable NS IP: 0 if a TCP SYN from NS to IP:9 gets an answer (a RST counts), within 2 s.
nn_reachable() {
  local msg
  msg=$(nn_exec "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$2/9" 2>&1) && return 0
  grep -q 'refused' <<<"$msg"
}
