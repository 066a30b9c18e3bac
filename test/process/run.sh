#!/usr/bin/env bash
# Process tests: start the real binaries of BUILD_DIR. Prints "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export AAC_BUILD_DIR=$(cd "${1:-build}" && pwd)
exec /usr/bin/python3 "$here/harness.py" "$here"/*_test.py
