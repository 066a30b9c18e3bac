#!/usr/bin/env bash
# Writes agentanycastd and agentanycast-peer wrappers around js/contract-double.mjs into DIR,
# a fake build dir that follows the contract of test/interop/README.md. Used to check that
# libp2p_ours.test.mjs can pass at all:
#   test/interop/tools/contract-double.sh /tmp/double
#   AAC_BUILD_DIR=/tmp/double node test/interop/libp2p_ours.test.mjs
set -euo pipefail
dir=${1:?usage: contract-double.sh DIR}
js=$(cd "$(dirname "$0")/../js" && pwd)/contract-double.mjs
mkdir -p "$dir"
for name in agentanycastd agentanycast-peer; do
  printf '#!/bin/sh\nexec node %q %s "$@"\n' "$js" "$name" > "$dir/$name"
  chmod +x "$dir/$name"
done
echo "contract double in $dir"
