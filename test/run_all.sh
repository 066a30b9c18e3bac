#!/usr/bin/env bash
# Runs every test suite in turn and prints one closing line that sums them:
#   "<N> passed, <M> failed"
# Usage: test/run_all.sh BUILD_DIR ASAN_DIR
set -uo pipefail
build=${1:-build}; asan=${2:-build-asan}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export AGENTANYCAST_ENABLE_MDNS=false   # multicast must never leave this machine
total_pass=0; total_fail=0; failed_suites=()
# What failed, repeated at the very end: CI shows a run's tail first.
digest=$(mktemp)

run_suite() {
  local name=$1; shift
  echo "=== $name: $*"
  local log; log=$(mktemp)
  local t0=$SECONDS
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p=0 f=0 line
  if line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -1) && [[ -n "$line" ]]; then
    p=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$line")
  elif line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1) && [[ -n "$line" ]]; then
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  fi
  if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  echo "=== $name: $p passed, $f failed ($((SECONDS - t0)) s)"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [[ $f -ne 0 ]]; then
    failed_suites+=("$name")
    { echo "--- $name"
      grep -E 'FAIL|ERROR|[Ee]rror:|SUMMARY|Assertion|deadly signal|Test unit|timeout|^ *#[0-9]+ 0x' "$log" | head -40
    } >>"$digest"
  fi
  rm -f "$log"
}

run_suite "unit (g++)" "$build/aac_unit_tests"
run_suite "unit (clang ASan+UBSan)" "$asan/aac_unit_tests"
run_suite "fuzz (short runs)" test/tools/run-fuzzers.sh "$asan" --runs 20000
for s in test/process/run.sh test/interop/run.sh test/netns/run.sh; do
  [[ -x $s ]] && run_suite "${s%/run.sh}" "$s" "$build" "$asan"
done

if [[ ${#failed_suites[@]} -gt 0 ]]; then
  echo "=== what failed (lines from the suites' output above)"
  cat "$digest"
  echo "failed suites: ${failed_suites[*]}"
fi
rm -f "$digest"
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
