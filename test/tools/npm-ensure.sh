#!/usr/bin/env bash
# `npm ci` in a directory with a committed package-lock.json, unless
# node_modules already matches the lock file.
set -euo pipefail
dir=$1
[[ -f "$dir/package-lock.json" ]] || exit 0
stamp="$dir/node_modules/.aac-lock-stamp"
if [[ -f "$stamp" ]] && cmp -s "$stamp" "$dir/package-lock.json"; then exit 0; fi
echo "npm-ensure: npm ci in $dir"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
cp "$dir/package-lock.json" "$stamp"
