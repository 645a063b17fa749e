#!/bin/bash
# `npm run bench`: every benchmark under bench/, each printing ratios against a baseline of the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-runtime.sh
bash scripts/ensure-node-deps.sh
bash scripts/build-js.sh
for b in bench/*.bench.ts; do
  echo "== $b"
  node --import tsx "$b"
done
