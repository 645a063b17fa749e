#!/bin/bash
# `npm test`: installs what the tests need, then runs every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
bash scripts/install-system-packages.sh
npx --no-install tsc --noEmit
npx --no-install biome check .
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
