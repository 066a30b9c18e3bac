#!/usr/bin/env bash
# Network-namespace tests: runs every test/netns/*.test.sh and prints the combined closing line
#   "N passed, N failed, N skipped"
# Usage: test/netns/run.sh BUILD_DIR [ASAN_DIR]   (as root; otherwise every test is skipped)
# Suites named *_ours.test.sh run once against BUILD_DIR and once more against ASAN_DIR when it
# is given and exists. Each suite builds its own namespaces (prefix aac<pid>-) and removes
# them and every process it started on exit; a suite has AAC_NETNS_SUITE_TIMEOUT seconds
# (default 600).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
abs() { (cd "$root" && cd "$1" 2>/dev/null && pwd) || echo "$root/$1"; }
build=$(abs "${1:-build}")
asan=""; [[ -n "${2:-}" ]] && asan=$(abs "$2")
export AGENTANYCAST_ENABLE_MDNS=false   # only processes inside the lab namespaces turn it on
pass=0; fail=0; skip=0; failed=()
. "$here/lib.sh"

if ! why=$(nn_can_run); then
  n=0; for f in "$here"/*.test.sh; do n=$((n + 1)); done
  echo "SKIP netns — skipped: $why"
  echo "0 passed, 0 failed, $n skipped"
  exit 0
fi
if command -v node >/dev/null && "$root/test/tools/npm-ensure.sh" "$root/test/interop"; then :; else
  echo "FAIL netns: node / npm ci in test/interop unavailable (the js peers need them)"
  echo "0 passed, 1 failed, 0 skipped"; exit 1
fi

run_suite() { # run_suite LABEL FILE BUILD_DIR
  local label=$1 file=$2 dir=$3 log rc line p=0 f=0 s=0
  echo "=== netns $label (AAC_BUILD_DIR=$dir)"
  log=$(mktemp)
  AAC_BUILD_DIR=$dir timeout -k 20 "${AAC_NETNS_SUITE_TIMEOUT:-600}" bash "$file" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1) && [[ -n $line ]]; then
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
    s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
  fi
  if [[ $rc -ne 0 && $f -eq 0 ]]; then echo "FAIL netns $label: exited with $rc without a failed test (crash or timeout)"; f=1; fi
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  [[ $f -ne 0 ]] && failed+=("$label")
  rm -f "$log"
}

for f in "$here"/*.test.sh; do
  name=$(basename "$f" .test.sh)
  run_suite "$name" "$f" "$build"
  if [[ $name == *_ours && -n $asan ]]; then
    if [[ -d $asan ]]; then run_suite "$name (ASan+UBSan)" "$f" "$asan"
    else echo "SKIP netns $name (ASan+UBSan) — skipped: $asan does not exist"; skip=$((skip + 1)); fi
  fi
done
left=$(ip netns list | grep -cE '^aac[0-9]+-' || true)
if [[ $left -ne 0 ]]; then echo "FAIL netns: $left lab namespace(s) left behind: $(ip netns list | grep -E '^aac[0-9]+-' | tr '\n' ' ')"; fail=$((fail + 1)); fi
[[ ${#failed[@]} -gt 0 ]] && echo "failed netns suites: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
