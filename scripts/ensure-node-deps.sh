#!/bin/bash
# Installs the npm dependencies when node_modules is missing or older than the lockfile,
# so that `npm start` and `npm test` work from a fresh clone with nothing else run first.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.imger-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "imger: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  touch "$stamp"
fi
