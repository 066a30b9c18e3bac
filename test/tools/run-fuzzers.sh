#!/usr/bin/env bash
# Runs every fuzz_<name> target of a build dir on its committed seed corpus.
#   run-fuzzers.sh BUILD_DIR SECONDS      fuzz each target for SECONDS
#   run-fuzzers.sh BUILD_DIR --runs N     short fixed count (make test)
# Prints one line per target and a closing "N passed, N failed".
set -uo pipefail
build=$(cd "$1" && pwd); shift
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ "${1:-}" == "--runs" ]]; then limit=(-runs="$2"); else limit=(-max_total_time="$1"); fi
pass=0; fail=0
for bin in "$build"/fuzz_*; do
  [[ -x "$bin" ]] || continue
  name=${bin##*/fuzz_}
  corpus="$root/fuzz/corpus/$name"
  work=$(mktemp -d)
  # New inputs go to $work/new, not to $work: libFuzzer re-reads its output
  # corpus while it runs, and would take its own growing log for an input.
  mkdir "$work/new"
  args=("${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 "$work/new")
  [[ -d "$corpus" ]] && args+=("$corpus")
  if (cd "$work" && "$bin" "${args[@]}" >"$work/log" 2>&1); then
    echo "fuzz $name: ok ($(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$work/log" | tail -1))"
    pass=$((pass + 1))
  else
    echo "fuzz $name: FAILED"; tail -40 "$work/log"
    # The input itself, so a failure seen only in CI's log can be replayed.
    for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
      [[ -f $f && $(stat -c %s "$f") -le 4096 ]] && echo "fuzz $name: FAILED input ${f##*/} base64 $(base64 -w0 "$f")"
    done
    mkdir -p "$build/fuzz-failures/$name" && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$build/fuzz-failures/$name/" 2>/dev/null
    fail=$((fail + 1))
  fi
  rm -rf "$work"
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
