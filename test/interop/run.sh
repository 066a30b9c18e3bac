#!/usr/bin/env bash
# Interop tests: runs every test/interop/*.test.mjs and prints the combined closing line
#   "N passed, N failed, N skipped"
# Usage: test/interop/run.sh BUILD_DIR [ASAN_DIR]
# Suites named *_ours.test.mjs exercise our binaries: they run once against BUILD_DIR and once
# more against ASAN_DIR (the ASan+UBSan build) when it is given and exists. Other suites
# (js_js: js-libp2p against itself) run once. Each suite has a deadline
# (AAC_INTEROP_SUITE_TIMEOUT seconds, default 1800); the suites kill what they started.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
abs() { (cd "$root" && cd "$1" 2>/dev/null && pwd) || echo "$root/$1"; }
build=$(abs "${1:-build}")
asan=""; [[ -n "${2:-}" ]] && asan=$(abs "$2")
export AGENTANYCAST_ENABLE_MDNS=false   # multicast must never leave this machine
pass=0; fail=0; skip=0; failed=()

closing() { echo "$pass passed, $fail failed, $skip skipped"; [[ $fail -eq 0 ]]; exit; }

if ! command -v node >/dev/null; then
  echo "FAIL interop: node is not installed (make test-deps installs it)"; fail=1; closing
fi
if ! "$root/test/tools/npm-ensure.sh" "$here"; then
  echo "FAIL interop: npm ci in test/interop failed"; fail=1; closing
fi

run_suite() { # run_suite LABEL FILE BUILD_DIR
  local label=$1 file=$2 dir=$3 log rc line p=0 f=0 s=0
  echo "=== interop $label (AAC_BUILD_DIR=$dir)"
  log=$(mktemp)
  AAC_BUILD_DIR=$dir timeout -k 30 "${AAC_INTEROP_SUITE_TIMEOUT:-1800}" node "$file" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1) && [[ -n $line ]]; then
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
    s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
  fi
  if [[ $rc -ne 0 && $f -eq 0 ]]; then
    echo "FAIL interop $label: exited with $rc without a failed test (crash or timeout)"; f=1
  fi
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  [[ $f -ne 0 ]] && failed+=("$label")
  rm -f "$log"
}

shopt -s nullglob
files=("$here"/js_js.test.mjs)
for f in "$here"/*.test.mjs; do [[ $f == "$here/js_js.test.mjs" ]] || files+=("$f"); done
for f in "${files[@]}"; do
  name=$(basename "$f" .test.mjs)
  if [[ $name == *_ours ]]; then
    run_suite "$name" "$f" "$build"
    if [[ -n $asan ]]; then
      if [[ -d $asan ]]; then run_suite "$name (ASan+UBSan)" "$f" "$asan"
      else echo "SKIP interop $name (ASan+UBSan) — skipped: $asan does not exist"; skip=$((skip + 1)); fi
    fi
  else
    run_suite "$name" "$f" "$build"
  fi
done
[[ ${#failed[@]} -gt 0 ]] && echo "failed interop suites: ${failed[*]}"
closing
